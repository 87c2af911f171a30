"""Staff pages: the certificate register, revocation (two-person rule) and re-issue."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.audit.models import AuditEvent
from portal.auth.forms import ConfirmForm
from portal.auth.models import StaffRole, User
from portal.certificates import bp, service
from portal.certificates.forms import ReissueForm, RevokeForm
from portal.certificates.models import Certificate
from portal.db import session as db
from portal.forms import render_form
from portal.organisations.models import Organisation
from portal.pagination import page_number, paginate
from portal.permissions import staff_required

ACTION_NAMES = {
    "certificate_issued": "Issued", "certificate_reissued": "Issued to replace another",
    "certificate_revocation_requested": "Revocation asked for",
    "certificate_revocation_cancelled": "Revocation request cancelled",
    "certificate_revoked": "Revocation confirmed",
}
FILTERS = {"all": "All certificates", "awaiting": "Revocations awaiting confirmation",
           "revoked": "Revoked"}


def _certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.get(Certificate, certificate_id) if certificate_id < 2**31 else None
    if certificate is None:
        abort(404)
    return certificate


def _register_query(search: str, show: str) -> sa.Select:
    query = service.certificates_query().join(
        Organisation, Organisation.id == Certificate.organisation_id)
    if search:
        needle = f"%{search.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Certificate.number).like(needle),
                                   Organisation.search_name.like(needle)))
    if show == "awaiting":
        query = query.where(Certificate.revocation_requested_at.is_not(None),
                            Certificate.revoked_at.is_(None))
    elif show == "revoked":
        query = query.where(Certificate.revoked_at.is_not(None))
    return query


@bp.route("/staff/certificates")
@staff_required(StaffRole.REVIEWER)
def staff_list():
    search = (request.args.get("q") or "").strip()[:100]
    show = request.args.get("show") if request.args.get("show") in FILTERS else "all"
    page = paginate(db, _register_query(search, show), page_number(request.args.get("page")))
    return render_template("certificates/staff_list.html", page=page, search=search,
                           show=show, filters=FILTERS, today=clock.today(),
                           state_of=service.certificate_state)


def _people(certificate: Certificate) -> dict:
    ids = {certificate.revocation_requested_by_id, certificate.revoked_by_id,
           certificate.revocation_confirmed_by_id} - {None}
    if not ids:
        return {}
    users = db.execute(sa.select(User).where(User.id.in_(ids))).scalars()
    return {user.id: user.name for user in users}


def _history(certificate: Certificate) -> list[AuditEvent]:
    """Audit events about this certificate: issue, revocation requests, confirmation."""
    return list(db.execute(
        sa.select(AuditEvent).where(AuditEvent.object_type == Certificate.__tablename__,
                                    AuditEvent.object_id == str(certificate.id))
        .order_by(AuditEvent.seq).limit(50)).scalars())


@bp.route("/staff/certificates/<int:certificate_id>")
@staff_required(StaffRole.REVIEWER)
def staff_detail(certificate_id):
    certificate = _certificate_or_404(certificate_id)
    replacement = db.get(Certificate, certificate.superseded_by_id) \
        if certificate.superseded_by_id else None
    return render_template(
        "certificates/staff_detail.html", certificate=certificate,
        values=certificate.rendered_values, replacement=replacement, people=_people(certificate),
        history=_history(certificate), action_names=ACTION_NAMES,
        state=service.certificate_state(certificate, clock.today()), form=ConfirmForm())


@bp.route("/staff/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def revoke(certificate_id):
    certificate = _certificate_or_404(certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            service.request_revocation(db, certificate, current_user, form.reason.data)
        except service.CertificateError as error:
            form.reason.errors.append(str(error))
            return render_form("certificates/revoke.html", form, certificate=certificate)
        db.commit()
        flash(f"Revocation of {certificate.number} requested. A second staff admin must "
              "confirm it before it takes effect.", "success")
        return redirect(url_for("certificates.staff_detail", certificate_id=certificate.id))
    return render_form("certificates/revoke.html", form, certificate=certificate)


def _confirmed_action(certificate_id: int, action, done_message: str):
    """Button-only POSTs: run the service action, report a refusal without a 500."""
    certificate = _certificate_or_404(certificate_id)
    if ConfirmForm().validate_on_submit():
        try:
            action(db, certificate, current_user)
        except service.CertificateError as error:
            flash(str(error), "error")
        else:
            db.commit()
            flash(done_message.format(number=certificate.number), "success")
    return redirect(url_for("certificates.staff_detail", certificate_id=certificate.id))


@bp.route("/staff/certificates/<int:certificate_id>/confirm-revocation", methods=["POST"])
@staff_required(StaffRole.ADMIN)
def confirm_revocation(certificate_id):
    return _confirmed_action(certificate_id, service.confirm_revocation,
                             "Certificate {number} is now revoked. The company has been told.")


@bp.route("/staff/certificates/<int:certificate_id>/cancel-revocation", methods=["POST"])
@staff_required(StaffRole.ADMIN)
def cancel_revocation(certificate_id):
    return _confirmed_action(certificate_id, service.cancel_revocation,
                             "The revocation of {number} was cancelled.")


@bp.route("/staff/certificates/<int:certificate_id>/reissue", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def reissue(certificate_id):
    certificate = _certificate_or_404(certificate_id)
    form = ReissueForm()
    if form.validate_on_submit():
        try:
            replacement = service.reissue_certificate(db, certificate, current_user,
                                                      form.reason.data)
        except service.CertificateError as error:
            form.reason.errors.append(str(error))
            return render_form("certificates/reissue.html", form, certificate=certificate)
        db.commit()
        flash(f"Certificate {replacement.number} replaces {certificate.number}.", "success")
        return redirect(url_for("certificates.staff_detail", certificate_id=replacement.id))
    return render_form("certificates/reissue.html", form, certificate=certificate)
