"""Sampling audits and CSV exports (staff admins)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.routing import BuildError

from portal import clock
from portal.attestations.models import Attestation, ReportingCycle
from portal.auth.models import StaffRole
from portal.db import session as db
from portal.forms import render_form
from portal.organisations.models import Organisation
from portal.pagination import page_number, paginate
from portal.permissions import staff_required
from portal.review import bp, export, service
from portal.review import sampling as sampling_service
from portal.review.forms import OutcomeForm, SamplingForm
from portal.review.models import SampledAttestation, SampleOutcome, SamplingAudit

DEFAULT_MESSAGE = (
    "Your attestation has been chosen at random for an evidence check, as about one in ten "
    "are each year. Please send us the records behind your learning-time figures (for "
    "example an export from your learning system) within 20 working days."
)


def _cycles():
    return list(db.execute(
        sa.select(ReportingCycle).order_by(ReportingCycle.year.desc())).scalars())


@bp.route("/sampling")
@staff_required(StaffRole.ADMIN)
def sampling():
    query = sa.select(SamplingAudit).order_by(SamplingAudit.drawn_at.desc(), SamplingAudit.id)
    page = paginate(db, query, page_number(request.args.get("page")))
    cycles = {c.id: c for c in _cycles()}
    return render_template("review/sampling.html", page=page, cycles=cycles)


@bp.route("/sampling/new", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def new_sample():
    cycles = _cycles()
    form = SamplingForm(seed=clock.today().isoformat(), message=DEFAULT_MESSAGE)
    form.cycle_id.choices = [("", "Select…")] + [(str(c.id), str(c.year)) for c in cycles]
    if form.validate_on_submit():
        cycle = db.get(ReportingCycle, int(form.cycle_id.data))
        try:
            audit = sampling_service.draw_sample(db, current_user, cycle, form.percentage.data,
                                        form.seed.data, form.message.data)
        except service.ReviewError as error:
            form.cycle_id.errors.append(str(error))
            return render_form("review/new_sample.html", form)
        db.commit()
        flash("The sample has been drawn and the companies emailed.", "success")
        return redirect(url_for("review.sample", audit_id=audit.id))
    return render_form("review/new_sample.html", form)


@bp.route("/sampling/<int:audit_id>")
@staff_required(StaffRole.ADMIN)
def sample(audit_id):
    audit = db.get(SamplingAudit, audit_id) or abort(404)
    rows = db.execute(
        sa.select(SampledAttestation, Organisation)
        .join(Organisation, Organisation.id == SampledAttestation.organisation_id)
        .where(SampledAttestation.sampling_audit_id == audit.id)
        .order_by(Organisation.search_name)).all()
    return render_template("review/sample.html", audit=audit, rows=rows,
                           cycle=db.get(ReportingCycle, audit.cycle_id))


@bp.route("/sampling/<int:audit_id>/<int:sampled_id>", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def sample_outcome(audit_id, sampled_id):
    sampled = db.get(SampledAttestation, sampled_id)
    if sampled is None or sampled.sampling_audit_id != audit_id:
        abort(404)
    form = OutcomeForm()
    organisation = db.get(Organisation, sampled.organisation_id)
    if form.validate_on_submit():
        outcome = SampleOutcome(form.outcome.data)
        sampling_service.record_sample_outcome(db, current_user, sampled, outcome,
                                               form.note.data)
        db.commit()
        flash(f"The outcome for {organisation.name} has been recorded.", "success")
        revoke_url = _revoke_url(sampled) if outcome == SampleOutcome.REVOKED else None
        if revoke_url:
            flash("Now revoke the certificate: a second staff admin confirms it.", "warning")
            return redirect(revoke_url)
        return redirect(url_for("review.sample", audit_id=audit_id))
    return render_form("review/sample_outcome.html", form, sampled=sampled,
                       organisation=organisation, attestation=db.get(
                           Attestation, sampled.attestation_id))


def _revoke_url(sampled: SampledAttestation) -> str | None:
    """The certificates package's revocation page for the sampled attestation's certificate."""
    try:
        from portal.certificates.service import current_certificate_for_attestation

        certificate = current_certificate_for_attestation(db, sampled.attestation_id)
        return url_for("certificates.revoke", certificate_id=certificate.id) \
            if certificate else None
    except (ImportError, BuildError):  # a build without certificates
        return None


@bp.route("/exports")
@staff_required(StaffRole.ADMIN)
def exports():
    return render_template("review/exports.html", cycles=_cycles())


@bp.route("/exports/<int:year>.csv")
@staff_required(StaffRole.ADMIN)
def export_csv(year):
    cycle = db.execute(sa.select(ReportingCycle).where(
        ReportingCycle.year == year)).scalar_one_or_none() or abort(404)
    rows = export.stream_csv(current_app.extensions["db_sessionmaker"], cycle.id, cycle.year)
    return Response(
        rows, mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="pledge-portal-attestations-{year}.csv"'})
