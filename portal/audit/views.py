"""The audit log viewer (staff): filters, links to each event's object, chain verification."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from portal import clock
from portal.audit import bp
from portal.audit.forms import AuditFilterForm
from portal.audit.models import AuditEvent
from portal.audit.service import record, verify_chain
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.db import session as db
from portal.pagination import page_number, paginate
from portal.permissions import staff_required
from portal.review.queries import row_id

# Where an event's object is shown: (endpoint, url argument name).
OBJECT_PAGES = {
    "organisations": ("staff.company", "organisation_id"),
    "attestations": ("review.attestation", "attestation_id"),
    "sampling_audits": ("review.sample", "audit_id"),
    "certificates": ("certificates.staff_detail", "certificate_id"),
}
OBJECT_NAMES = {
    "organisations": "Company", "attestations": "Attestation", "users": "User",
    "certificates": "Certificate", "pledges": "Pledge", "code_versions": "Code version",
    "sampling_audits": "Sampling audit", "sampled_attestations": "Sampled attestation",
    "invitations": "Invitation", "evidence_files": "Evidence file",
    "reporting_cycles": "Reporting cycle", "outbox_mail": "Email",
}


def object_name(event: AuditEvent) -> str:
    """'Company 12' rather than the table name 'organisations 12'."""
    kind = OBJECT_NAMES.get(event.object_type or "",
                            (event.object_type or "").replace("_", " ").capitalize())
    return f"{kind} {event.object_id or ''}".strip()


def object_url(event: AuditEvent) -> str | None:
    """The page showing the event's object; objects without one link to their company."""
    target = OBJECT_PAGES.get(event.object_type or "")
    if target and (event.object_id or "").isdigit():
        return _url(target[0], **{target[1]: int(event.object_id)})
    if event.object_type == "users" and event.organisation_id is None:
        return _url("staff.accounts")
    if event.organisation_id is not None:
        return _url("staff.company", organisation_id=event.organisation_id)
    return None


def _url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:  # a page this build does not have
        return None


def _distinct(column) -> list[str]:
    return [value for value in db.execute(
        sa.select(column).distinct().where(column.is_not(None)).order_by(column)).scalars()]


def _actor_ids(text: str) -> list[int]:
    """A user number, an exact email address, or part of a name."""
    if row_id(text):
        return [row_id(text)]
    if "@" in text:
        return list(db.execute(sa.select(User.id).where(User.email == text.lower())).scalars())
    return list(db.execute(sa.select(User.id).where(
        User.name.icontains(text, autoescape=True))).scalars())


def _filtered_query(form: AuditFilterForm) -> sa.Select:
    query = sa.select(AuditEvent).order_by(AuditEvent.seq.desc())
    if form.actor.data:
        query = query.where(AuditEvent.actor_id.in_(_actor_ids(form.actor.data)))
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.object_type.data:
        query = query.where(AuditEvent.object_type == form.object_type.data)
    if form.object_id.data:
        query = query.where(AuditEvent.object_id == form.object_id.data)
    if form.organisation.data:
        query = query.where(AuditEvent.organisation_id == int(form.organisation.data))
    start, end = form.date_range()
    if start:
        query = query.where(AuditEvent.at >= clock.end_of_day(start - timedelta(days=1)))
    if end:
        query = query.where(AuditEvent.at <= clock.end_of_day(end))
    return query


@bp.route("")
@staff_required()
def log():
    form = AuditFilterForm(formdata=MultiDict(request.args) if request.args else None)
    form.action.choices = [("", "Any action"), *((a, a.replace("_", " ")) for a in _distinct(
        AuditEvent.action))]
    form.object_type.choices = [("", "Any type"), *((t, t.replace("_", " ")) for t in _distinct(
        AuditEvent.object_type))]
    is_valid = form.validate() if request.args else True
    query = _filtered_query(form) if is_valid else sa.select(AuditEvent).where(sa.false())
    page = paginate(db, query, page_number(request.args.get("page")))
    actor_ids = {event.actor_id for event in page.items} - {None}
    actors = {u.id: u for u in db.execute(
        sa.select(User).where(User.id.in_(actor_ids))).scalars()} if actor_ids else {}
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("audit/log.html", form=form, page=page, actors=actors, args=args,
                           object_url=object_url, object_name=object_name,
                           verify_form=ConfirmForm())


@bp.route("/verify", methods=["POST"])
@staff_required()
def verify():
    if not ConfirmForm().validate_on_submit():
        flash("This page expired before you sent it. Press the button again.", "error")
        return redirect(url_for("audit.log"))
    report = verify_chain(db)
    record(db, "audit_chain_verified", actor=current_user,
           detail={"checked": report.checked, "intact": report.is_intact,
                   "broken_seq": report.broken_seq})
    db.commit()
    if report.is_intact:
        flash(f"The audit chain is intact: all {report.checked:,} events check out.", "success")
    else:
        flash(f"The audit chain is broken at event {report.broken_seq}: {report.reason}. "
              "Tell the technical team now.", "error")
    return redirect(url_for("audit.log"))
