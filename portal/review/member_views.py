"""The member side of a sampling audit: the evidence-request upload slot (company admins).

A blueprint of its own because members' pages live under /company, not /staff/review; the
review blueprint registers it (see views.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField

from portal.attestations.models import Attestation
from portal.auth.models import OrgRole
from portal.db import session as db
from portal.forms import BaseForm, Required, render_form
from portal.permissions import member_required
from portal.review import sampling
from portal.review.models import SampledAttestation, SampleOutcome, SamplingAudit

bp = Blueprint("evidence_checks", __name__, url_prefix="/company/evidence-checks")


class UploadForm(BaseForm):
    file = FileField("Upload a file", validators=[Required("Select a file to upload")])


def _own_sampled_or_404(sampled_id: int) -> SampledAttestation:
    sampled = db.get(SampledAttestation, sampled_id)
    if sampled is None or sampled.organisation_id != current_user.organisation_id:
        abort(404)  # another company's check: its existence is not revealed
    return sampled


@bp.route("")
@member_required(OrgRole.ADMIN)
def index():
    checks = db.execute(
        sa.select(SampledAttestation, SamplingAudit)
        .join(SamplingAudit, SamplingAudit.id == SampledAttestation.sampling_audit_id)
        .where(SampledAttestation.organisation_id == current_user.organisation_id)
        .order_by(SamplingAudit.drawn_at.desc())).all()
    return render_template("review/member_checks.html", checks=checks)


@bp.route("/<int:sampled_id>", methods=["GET", "POST"])
@member_required(OrgRole.ADMIN, verified=True)
def upload(sampled_id):
    sampled = _own_sampled_or_404(sampled_id)
    audit = db.get(SamplingAudit, sampled.sampling_audit_id)
    attestation = db.get(Attestation, sampled.attestation_id)
    form = UploadForm()
    context = {"sampled": sampled, "audit": audit, "attestation": attestation,
               "files": sampling.sampling_evidence(db, sampled),
               "is_open": sampled.outcome == SampleOutcome.PENDING}
    if form.validate_on_submit():
        storage = form.file.data
        try:
            evidence = sampling.add_sampling_evidence(
                db, current_user, sampled, storage.filename, storage.read())
        except (ValueError, sampling.ReviewError) as error:
            form.file.errors.append(str(error))
            return render_form("review/member_upload.html", form, **context)
        db.commit()
        flash(f"{evidence.filename} is uploaded. We will tell you when we have checked it.",
              "success")
        return redirect(url_for("evidence_checks.upload", sampled_id=sampled.id))
    return render_form("review/member_upload.html", form, **context)
