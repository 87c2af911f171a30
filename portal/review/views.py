"""The review queue, the review page and decisions (reviewers and staff admins)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from portal import clock, signals
from portal.attestations.models import Attestation, ReportingCycle
from portal.auth.forms import ConfirmForm
from portal.auth.models import StaffRole, User
from portal.db import session as db
from portal.errors import render_error
from portal.forms import render_form
from portal.pagination import page_number, paginate
from portal.permissions import staff_required
from portal.review import bp, queries, service
from portal.review.forms import (
    ApproveForm,
    NoteForm,
    RejectForm,
    ReopenForm,
    RequestChangesForm,
)
from portal.review.labels import (
    FIELD_LABELS,
    RECORD_FILE,
    SECTION_TITLES,
    answer_rows,
    field_label,
    show_value,
)

# Connected here because create_app always imports views: every app computes risk flags.
signals.attestation_submitted.connect(service.on_attestation_submitted)


def evidence_url(evidence_id) -> str | None:
    """The attestation package's download link (own company and staff), when this build has it."""
    try:
        return url_for("attestations.evidence_download", evidence_id=evidence_id)
    except BuildError:
        return None


@bp.context_processor
def review_helpers():
    return {"field_label": field_label, "show_value": show_value, "answer_rows": answer_rows,
            "record_file_key": RECORD_FILE, "section_titles": SECTION_TITLES,
            "evidence_url": evidence_url}


def _attestation_or_404(attestation_id: int) -> Attestation:
    attestation = db.get(Attestation, attestation_id)
    if attestation is None or attestation.submitted_at is None:
        abort(404)
    return attestation


@bp.route("")
@staff_required()
def queue():
    filters = queries.QueueFilters.from_args(request.args)
    page = paginate(db, queries.queue_query(filters, current_user.id),
                    page_number(request.args.get("page")))
    cycles = list(db.execute(
        sa.select(ReportingCycle).order_by(ReportingCycle.year.desc())).scalars())
    reviewers = list(db.execute(sa.select(User).where(User.staff_role.is_not(None))
                                .order_by(User.name)).scalars())
    return render_template(
        "review/queue.html", page=page, rows=queries.queue_rows(db, page.items),
        filters=filters, counts=queries.status_counts(db, filters.cycle_id), cycles=cycles,
        reviewers=reviewers, service_level=queries.SERVICE_LEVEL_DAYS)


@bp.route("/<int:attestation_id>")
@staff_required()
def attestation(attestation_id):
    record = _attestation_or_404(attestation_id)
    return _review_page(record)


def _review_page(record: Attestation, form=None, status: int = 200):
    from portal.pledges.service import active_pledge, pledge_state

    page = queries.review_page(db, record)
    pledge = active_pledge(db, record.organisation_id)
    return render_template(
        "review/attestation.html", page=page, attestation=record, cycle=record.cycle,
        metrics=queries.metric_rows(page.version, page.previous, record.cycle),
        organisation=record.organisation, pledge=pledge,
        pledge_state=pledge_state(db, pledge, clock.today()) if pledge else None,
        conflict=service.conflict_of_interest(db, current_user, record),
        note_form=form or NoteForm(),
        field_labels=FIELD_LABELS, form=form), status


@bp.route("/<int:attestation_id>/assign", methods=["POST"])
@staff_required()
def assign(attestation_id):
    record = _attestation_or_404(attestation_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.assign_to(db, current_user, record)
        except service.ReviewError as error:
            flash(str(error), "error")
            return redirect(url_for("review.attestation", attestation_id=record.id))
        db.commit()
        flash(f"The attestation from {record.organisation.name} is assigned to you.", "success")
    return redirect(url_for("review.attestation", attestation_id=record.id))


@bp.route("/<int:attestation_id>/notes", methods=["POST"])
@staff_required()
def add_note(attestation_id):
    record = _attestation_or_404(attestation_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _review_page(record, form, 400 if form.csrf_failed else 200)
    service.add_note(db, current_user, record, form.body.data)
    db.commit()
    flash("Your note has been added. Only staff can see it.", "success")
    return redirect(url_for("review.attestation", attestation_id=record.id) + "#notes")


def _decision_page(attestation_id: int, form, template: str, act, done: str):
    """Shared flow of the three decision pages: check, validate, decide, commit, redirect."""
    record = _attestation_or_404(attestation_id)
    problem = service.conflict_of_interest(db, current_user, record)
    if problem:
        return render_error(403, problem)
    if form.validate_on_submit():
        try:
            act(record, form)
        except service.ReviewError as error:
            flash(str(error), "error")
            return redirect(url_for("review.attestation", attestation_id=record.id))
        db.commit()
        flash(done.format(company=record.organisation.name), "success")
        return redirect(url_for("review.queue"))
    return render_form(template, form, attestation=record, organisation=record.organisation,
                       cycle=record.cycle)


@bp.route("/<int:attestation_id>/approve", methods=["GET", "POST"])
@staff_required()
def approve(attestation_id):
    return _decision_page(
        attestation_id, ApproveForm(), "review/approve.html",
        lambda record, form: service.approve(db, current_user, record, form.internal_note.data),
        "You approved the attestation from {company}. We emailed the company's admins.")


@bp.route("/<int:attestation_id>/request-changes", methods=["GET", "POST"])
@staff_required()
def request_changes(attestation_id):
    return _decision_page(
        attestation_id, RequestChangesForm(), "review/request_changes.html",
        lambda record, form: service.request_changes(
            db, current_user, record, form.messages(), form.internal_note.data),
        "You asked {company} for changes. We emailed the company's admins.")


@bp.route("/<int:attestation_id>/reject", methods=["GET", "POST"])
@staff_required()
def reject(attestation_id):
    return _decision_page(
        attestation_id, RejectForm(), "review/reject.html",
        lambda record, form: service.reject(
            db, current_user, record, form.reason.data, form.internal_note.data),
        "You rejected the attestation from {company}. We emailed the company's admins.")


@bp.route("/<int:attestation_id>/reopen", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def reopen(attestation_id):
    return _decision_page(
        attestation_id, ReopenForm(), "review/reopen.html",
        lambda record, form: service.reopen_on_appeal(db, current_user, record,
                                                      form.reason.data),
        "The attestation from {company} is back in the review queue.")


from portal.review import member_views, sampling_views  # noqa: E402,F401  (more routes)

# Members' upload slot lives under /company: its own blueprint, registered with ours.
bp.record_once(lambda state: state.app.register_blueprint(member_views.bp))
