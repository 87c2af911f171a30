"""Member pages: the task list and sections A–D. Evidence, submission and staff cycles are in
views_evidence, views_submit and views_cycles (imported at the bottom so they register)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.attestations import bp, service, summary
from portal.attestations.access import editable_state, member_state, started
from portal.attestations.forms import SECTION_FORMS
from portal.attestations.sections import BY_KEY, FORM_SECTIONS, SECTIONS, next_section
from portal.auth.forms import ConfirmForm
from portal.db import session as db
from portal.forms import render_form
from portal.permissions import member_required

NOT_TYPED = {"csrf_token", "row_version", "action"}


@bp.route("/company/attestation")
@member_required()
def index():
    state = member_state()
    attestation = state.attestation
    previous = service.previous_attestation(
        db, current_user.organisation_id, state.cycle.year) if state.cycle else None
    version = service.latest_version(db, attestation) if attestation else None
    return render_template(
        "attestations/index.html", state=state, attestation=attestation, sections=SECTIONS,
        statuses=service.section_statuses(attestation), previous=previous,
        next_cycle=service.next_cycle(db, state.today), version=version,
        certificate=service.latest_certificate(db, attestation) if attestation else None,
        changes_asked=service.sections_awaiting_changes(db, attestation, version),
        form=ConfirmForm())


@bp.route("/company/attestation/copy-last-year", methods=["POST"])
@member_required()
def copy_last_year():
    state, refused = editable_state()
    if refused:
        return refused
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("attestations.index"))
    attestation = started(state)
    previous = service.previous_attestation(db, attestation.organisation_id, state.cycle.year)
    if previous is None:
        abort(404)
    copied = service.copy_last_year(db, attestation, previous, current_user)
    db.commit()
    if copied:
        flash("We copied last year's policies, practices and web addresses. Check each copied "
              "section and enter this year's figures.", "success")
    else:
        flash("There was nothing to copy: the sections are already complete.", "warning")
    return redirect(url_for("attestations.index"))


@bp.route("/company/attestation/<key>", methods=["GET", "POST"])
@member_required()
def section(key):
    if key not in FORM_SECTIONS:
        abort(404)
    state, refused = editable_state()
    if refused:
        return refused
    attestation = state.attestation
    answers = (attestation.answers if attestation else None) or {}
    form = _load_form(key, state, answers)
    if request.method == "POST" and form.is_submitted():
        outcome = _save(key, state, form)
        if outcome is not None:
            return outcome
    return _render_section(key, form, state, answers)


def _load_form(key: str, state, answers: dict):
    """The posted form; else the "come back later" inputs as typed; else the saved answers."""
    form_class, attestation = SECTION_FORMS[key], state.attestation
    version = ((attestation.section_versions or {}).get(key, 0)) if attestation else 0
    drafts = (attestation.draft_inputs or {}) if attestation else {}
    if request.method == "POST":
        form = form_class()
    elif key in drafts:
        form = form_class(formdata=MultiDict(
            [(name, value) for name, values in drafts[key].items() for value in values]))
    else:
        form = form_class(data=form_class.initial(answers.get(key)))
    if request.method != "POST":
        form.row_version.data = str(version)
    form.cycle, form.answers = state.cycle, answers
    return form


def _save(key: str, state, form):
    """Redirect after a save, the conflict page, or None to re-show the form with errors."""
    later = request.form.get("action") == "later"
    is_valid = form.validate()
    if form.csrf_failed or not (is_valid or later):
        return None
    attestation = started(state)
    try:
        if is_valid:
            service.save_section(db, attestation, key, form.to_answers(), form.seen_version(),
                                 current_user)
        else:
            raw = {name: values for name, values in request.form.lists() if name not in NOT_TYPED}
            service.save_draft_inputs(db, attestation, key, raw, form.seen_version(),
                                      current_user)
    except service.EditConflict:
        db.rollback()
        return _conflict(key, form)
    db.commit()
    if not is_valid:
        flash(f"Section {BY_KEY[key].letter} is saved. Some answers still need fixing before "
              "it is complete.", "warning")
        return redirect(url_for("attestations.index"))
    flash(f"Section {BY_KEY[key].letter}: {BY_KEY[key].title} is saved.", "success")
    if later:
        return redirect(url_for("attestations.index"))
    if request.args.get("from") == "check":  # a "Change" link returns to the summary
        return redirect(url_for("attestations.check_answers"))
    return redirect(_section_url(next_section(key)))


def _conflict(key: str, form):
    """Show what a colleague saved beside what this user typed; the user chooses."""
    attestation = member_state().attestation
    saved = attestation.answers if attestation else {}
    versions = attestation.section_versions if attestation else {}
    form.row_version.data = str((versions or {}).get(key, 0))
    theirs = summary.section_rows(key, saved or {})
    return render_template("attestations/conflict.html", form=form, key=key,
                           section=BY_KEY[key], theirs=theirs, attestation=attestation,
                           fields_template=f"attestations/_fields_{key}.html"), 409


def _render_section(key: str, form, state, answers):
    attestation = state.attestation
    return render_form(
        "attestations/section.html", form, key=key, section=BY_KEY[key], state=state,
        attestation=attestation, is_copied=key in ((attestation.copied_sections or [])
                                                    if attestation else []),
        has_draft=key in ((attestation.draft_inputs or {}) if attestation else {}),
        review_message=_review_message(attestation, key),
        fields_template=f"attestations/_fields_{key}.html")


def _review_message(attestation, key):
    if attestation is not None and attestation.status == "changes_requested":
        return (attestation.review_messages or {}).get(key)
    return None


def _section_url(key: str) -> str:
    if key == "evidence":
        return url_for("attestations.evidence")
    if key == "declaration":
        return url_for("attestations.check_answers")
    return url_for("attestations.section", key=key)


from portal.attestations import views_cycles, views_evidence, views_submit  # noqa: E402,F401
