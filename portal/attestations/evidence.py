"""Evidence files and learning-record imports: bytes in the database, type from content."""

from __future__ import annotations

import copy
import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations import metrics
from portal.attestations.learning_records import LearningRecord, parse_learning_record
from portal.attestations.models import Attestation, EvidenceBlob, EvidenceFile
from portal.attestations.service import _guard_version, _set_answers, _set_status, evidence_files
from portal.attestations.uploads import (
    ALLOWED_DESCRIPTION,
    MAX_EVIDENCE_FILES,
    MAX_FILE_BYTES,
    display_name,
    extension,
    name_mismatch,
    safe_filename,
    sniff_media_type,
)
from portal.audit.service import record


class EvidenceRefused(ValueError):
    pass


def check_upload(data: bytes, existing_count: int, filename: str | None = None) -> str:
    """The real media type, or EvidenceRefused with the message to show. A file whose name
    promises another type than its content is refused, never silently renamed."""
    if existing_count >= MAX_EVIDENCE_FILES:
        raise EvidenceRefused(f"You can upload up to {MAX_EVIDENCE_FILES} files: remove one "
                              "before you add another")
    if not data:
        raise EvidenceRefused("The selected file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceRefused("The selected file must be smaller than 10 MB")
    media_type = sniff_media_type(data)
    mismatch = name_mismatch(filename, media_type)
    if mismatch:
        raise EvidenceRefused(mismatch)
    if media_type is None:
        raise EvidenceRefused(f"The selected file must be {ALLOWED_DESCRIPTION}")
    return media_type


def _store(db: Session, attestation: Attestation, filename: str, media_type: str, data: bytes,
           purpose: str, actor) -> EvidenceFile:
    evidence = EvidenceFile(
        attestation_id=attestation.id, purpose=purpose,
        filename=safe_filename(filename, media_type), media_type=media_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id,
        uploaded_at=clock.now())
    db.add(evidence)
    db.flush()
    db.add(EvidenceBlob(evidence_file_id=evidence.id, data=data))
    record(db, "evidence_uploaded", actor=actor, obj=evidence,
           organisation_id=attestation.organisation_id,
           detail={"purpose": purpose, "sha256": evidence.sha256, "size": evidence.size,
                   "media_type": media_type})
    return evidence


def add_evidence(db: Session, attestation: Attestation, filename: str, data: bytes,
                 actor) -> EvidenceFile:
    media_type = check_upload(data, len(evidence_files(db, attestation.id)), filename)
    evidence = _store(db, attestation, filename, media_type, data, "evidence", actor)
    _set_status(attestation, "evidence", "in_progress")
    db.flush()
    return evidence


def remove_evidence(db: Session, evidence: EvidenceFile, attestation: Attestation,
                    actor) -> None:
    """Metadata stays (the audit trail names the file); the bytes go."""
    evidence.deleted_at = clock.now()
    db.execute(sa.delete(EvidenceBlob).where(EvidenceBlob.evidence_file_id == evidence.id))
    record(db, "evidence_removed", actor=actor, obj=evidence,
           organisation_id=attestation.organisation_id, detail={"sha256": evidence.sha256})
    db.flush()


def evidence_bytes(db: Session, evidence: EvidenceFile) -> bytes | None:
    return db.execute(sa.select(EvidenceBlob.data).where(
        EvidenceBlob.evidence_file_id == evidence.id)).scalar_one_or_none()


def import_learning_record(db: Session, attestation: Attestation, filename: str, data: bytes,
                           seen: int, actor) -> LearningRecord:
    """Parse the CSV; only a clean file fills section B's figures and is kept as evidence.

    Raises LearningRecordRefused for a file that is not a learning record at all.
    """
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceRefused("The selected file must be smaller than 10 MB")
    if extension(filename) not in (None, "csv", "txt"):
        raise EvidenceRefused(f"{display_name(filename)} is not a CSV file: save the learning "
                              "record as CSV (.csv) and upload it again")
    weeks = metrics.period_weeks((attestation.answers or {}).get("workforce") or {})
    if weeks is None:
        raise EvidenceRefused("Complete section A (the reporting period) before you import a "
                              "learning record")
    result = parse_learning_record(data, float(weeks))
    if not result.is_clean:
        return result
    _guard_version(db, attestation, "learning", seen)
    for old in evidence_files(db, attestation.id, "learning_record"):
        remove_evidence(db, old, attestation, actor)
    stored = _store(db, attestation, filename, "text/csv", data, "learning_record", actor)
    answers = copy.deepcopy(attestation.answers or {})
    learning = answers.get("learning") or {}
    hours = result.total_hours
    learning.update(total_hours=int(hours) if hours == int(hours) else hours,
                    employees_meeting_hour=result.meeting_hour,
                    record_employees=result.employees, record_file_id=stored.id)
    answers["learning"] = learning
    _set_answers(attestation, answers)
    _update_learning_draft(attestation, result)
    _set_status(attestation, "learning", "in_progress")
    record(db, "learning_record_imported", actor=actor, obj=attestation,
           organisation_id=attestation.organisation_id,
           detail={"employees": result.employees, "total_hours": result.total_hours,
                   "meeting_hour": result.meeting_hour})
    db.flush()
    return result


def _update_learning_draft(attestation: Attestation, result: LearningRecord) -> None:
    """A half-filled section B keeps what was typed; only the imported figures change."""
    drafts = dict(attestation.draft_inputs or {})
    if "learning" in drafts:
        draft = dict(drafts["learning"])
        draft["total_hours"] = [f"{result.total_hours:g}"]
        draft["employees_meeting_hour"] = [str(result.meeting_hour)]
        drafts["learning"] = draft
        attestation.draft_inputs = drafts
