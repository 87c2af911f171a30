"""Section E (evidence files), the learning-record import for section B, and downloads."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.attestations import bp, service
from portal.attestations.access import editable_state, started
from portal.attestations.evidence import (
    EvidenceRefused,
    add_evidence,
    evidence_bytes,
    import_learning_record,
    remove_evidence,
)
from portal.attestations.forms import EvidenceForm, LearningRecordForm
from portal.attestations.learning_records import TEMPLATE, LearningRecordRefused
from portal.attestations.models import Attestation, EvidenceFile
from portal.attestations.uploads import MAX_EVIDENCE_FILES, MAX_FILE_BYTES
from portal.auth.forms import ConfirmForm
from portal.db import session as db
from portal.forms import render_form
from portal.permissions import login_required, member_required, own_organisation_or_404

TOO_LARGE = "The selected file must be smaller than 10 MB"


def _bound(form_class):
    """The posted form, or an empty one with a 'too large' error (the body was refused)."""
    try:
        return form_class(), None
    except RequestEntityTooLarge:
        return form_class(formdata=None), TOO_LARGE


def attachment(filename: str) -> str:
    """An attachment header that survives any file name (headers are Latin-1 only)."""
    fallback = filename.encode("ascii", "ignore").decode().strip() or "evidence"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _read(storage) -> bytes:
    try:
        return storage.stream.read(MAX_FILE_BYTES + 1)
    finally:
        # Large uploads are spooled to a temporary file: release it now, not at GC time.
        storage.close()


@bp.route("/company/attestation/evidence", methods=["GET", "POST"])
@member_required()
def evidence():
    state, refused = editable_state()
    if refused:
        return refused
    form, problem = _bound(EvidenceForm)
    if problem:
        form.evidence_file.errors = [problem]
    elif form.validate_on_submit():
        attestation = started(state)
        storage = form.evidence_file.data
        try:
            added = add_evidence(db, attestation, storage.filename, _read(storage), current_user)
        except EvidenceRefused as error:
            form.evidence_file.errors.append(str(error))
        else:
            db.commit()
            flash(f"{added.filename} is uploaded.", "success")
            return redirect(url_for("attestations.evidence"))
    files = service.evidence_files(db, state.attestation.id) if state.attestation else []
    return render_form("attestations/evidence.html", form, files=files, state=state,
                       max_files=MAX_EVIDENCE_FILES,
                       review_message=_message(state.attestation, "evidence"))


def _message(attestation, key):
    if attestation is not None and attestation.status == "changes_requested":
        return (attestation.review_messages or {}).get(key)
    return None


@bp.route("/company/attestation/evidence/done", methods=["POST"])
@member_required()
def evidence_done():
    state, refused = editable_state()
    if refused:
        return refused
    if ConfirmForm().validate_on_submit():
        service.mark_section_complete(db, started(state), "evidence", current_user)
        db.commit()
        return redirect(url_for("attestations.check_answers"))
    return redirect(url_for("attestations.evidence"))


@bp.route("/company/attestation/evidence/<int:evidence_id>/remove", methods=["POST"])
@member_required()
def remove_evidence_file(evidence_id):
    state, refused = editable_state()
    if refused:
        return refused
    evidence = db.get(EvidenceFile, evidence_id)
    # Only section E's files: the learning record is replaced by importing a new one.
    if evidence is None or state.attestation is None or evidence.purpose != "evidence" \
            or evidence.attestation_id != state.attestation.id or evidence.deleted_at:
        abort(404)
    if ConfirmForm().validate_on_submit():
        remove_evidence(db, evidence, state.attestation, current_user)
        db.commit()
        flash(f"{evidence.filename} is removed.", "success")
    return redirect(url_for("attestations.evidence"))


@bp.route("/attestation-evidence/<int:evidence_id>")
@login_required
def evidence_download(evidence_id):
    """The company's own members and staff only; served as an attachment, never rendered."""
    evidence = db.get(EvidenceFile, evidence_id)
    if evidence is None or evidence.deleted_at is not None:
        abort(404)
    own_organisation_or_404(db.get(Attestation, evidence.attestation_id))
    data = evidence_bytes(db, evidence)
    if data is None:
        abort(404)
    response = Response(data, mimetype=evidence.media_type)
    response.headers["Content-Disposition"] = attachment(evidence.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/company/attestation/learning-record", methods=["GET", "POST"])
@member_required()
def learning_record():
    state, refused = editable_state()
    if refused:
        return refused
    form, problem = _bound(LearningRecordForm)
    result = None
    if problem:
        form.learning_record.errors = [problem]
    elif form.validate_on_submit():
        result = _import(state, form)
        if result is True:
            return redirect(url_for("attestations.section", key="learning"))
    version = (state.attestation.section_versions or {}).get("learning", 0) \
        if state.attestation else 0
    current = service.evidence_files(db, state.attestation.id, "learning_record") \
        if state.attestation else []
    return render_form("attestations/learning_record.html", form, state=state, result=result,
                       row_version=request.form.get("row_version", version),
                       current=current[0] if current else None)


def _import(state, form):
    """True after a clean import; otherwise the parse result (bad rows) or None."""
    storage = form.learning_record.data
    attestation = started(state)
    try:
        seen = int(request.form.get("row_version", "0"))
        result = import_learning_record(db, attestation, storage.filename, _read(storage), seen,
                                        current_user)
    except (LearningRecordRefused, EvidenceRefused) as error:
        form.learning_record.errors.append(str(error))
        return None
    except (service.EditConflict, ValueError):
        db.rollback()
        form.learning_record.errors.append(
            "A colleague changed section B while you were choosing the file. Check section B, "
            "then upload the file again")
        return None
    if result.error_count:
        form.learning_record.errors.append(
            f"The file has {result.error_count:,} row{'s' if result.error_count != 1 else ''} "
            "to fix: nothing was imported")
        return result
    if result.employees == 0:
        form.learning_record.errors.append("The selected file has no employee rows")
        return None
    db.commit()
    flash(f"Imported {result.employees:,} employees: {result.total_hours:,.2f} hours in total, "
          f"{result.meeting_hour:,} averaged at least one hour a week. Check the figures below "
          "and answer the other questions.", "success")
    return True


@bp.route("/company/attestation/learning-record/template.csv")
@member_required()
def learning_record_template():
    response = Response(TEMPLATE, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="learning-record.csv"'
    return response


