"""Reporting cycles, drafts by section, submission. Functions only flush; views commit."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import Session

from portal import clock, signals
from portal.attestations import metrics
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    AttestationVersion,
    EvidenceBlob,
    EvidenceFile,
    ReportingCycle,
)
from portal.attestations.sections import FORM_SECTIONS, REUSABLE_FIELDS, SECTION_KEYS
from portal.audit.service import record
from portal.mail.service import queue_mail

EDITABLE = (AttestationStatus.DRAFT, AttestationStatus.CHANGES_REQUESTED)


class EditConflict(Exception):
    """Someone saved this section after the form was loaded."""


class SubmissionRefused(Exception):
    pass


# Cycles ---------------------------------------------------------------------------------

def current_cycle(db: Session, today: date | None = None) -> ReportingCycle | None:
    """The latest cycle that has opened (it may be past its grace date: then it is closed)."""
    today = today or clock.today()
    return db.execute(
        sa.select(ReportingCycle).where(ReportingCycle.opens_on <= today)
        .order_by(ReportingCycle.year.desc()).limit(1)
    ).scalar_one_or_none()


def reporting_cycle_for(db: Session, organisation_id: int, today: date | None = None):
    """The cycle a company works on: normally the current one, but a change request on an
    earlier cycle that is still open takes precedence (it has its own deadline)."""
    today = today or clock.today()
    reopened = db.execute(
        sa.select(ReportingCycle).join(Attestation, Attestation.cycle_id == ReportingCycle.id)
        .where(Attestation.organisation_id == organisation_id,
               Attestation.status == AttestationStatus.CHANGES_REQUESTED,
               Attestation.changes_due_on >= today)
        .order_by(ReportingCycle.year).limit(1)
    ).scalar_one_or_none()
    return reopened or current_cycle(db, today)


def next_cycle(db: Session, today: date | None = None) -> ReportingCycle | None:
    today = today or clock.today()
    return db.execute(
        sa.select(ReportingCycle).where(ReportingCycle.opens_on > today)
        .order_by(ReportingCycle.opens_on).limit(1)
    ).scalar_one_or_none()


# Drafts ---------------------------------------------------------------------------------

def attestation_for(db: Session, organisation_id: int, cycle: ReportingCycle):
    return db.execute(sa.select(Attestation).where(
        Attestation.organisation_id == organisation_id, Attestation.cycle_id == cycle.id)
    ).scalar_one_or_none()


def start_attestation(db: Session, organisation, cycle: ReportingCycle, actor) -> Attestation:
    attestation = Attestation(organisation_id=organisation.id, cycle_id=cycle.id, answers={},
                              section_status={}, section_versions={}, draft_inputs={})
    db.add(attestation)
    db.flush()
    record(db, "attestation_started", actor=actor, obj=attestation,
           organisation_id=organisation.id, detail={"cycle": cycle.year})
    return attestation


def submission_deadline(attestation: Attestation) -> date:
    """The last day the member may (re)submit: the change-request deadline when changes were
    requested, otherwise the cycle's grace date or a later staff extension."""
    if attestation.status == AttestationStatus.CHANGES_REQUESTED and attestation.changes_due_on:
        return attestation.changes_due_on
    deadline = attestation.cycle.grace_until
    if attestation.extended_until and attestation.extended_until > deadline:
        deadline = attestation.extended_until
    return deadline


def on_time_until(attestation: Attestation) -> date:
    due = attestation.cycle.due_on
    return max(due, attestation.extended_until) if attestation.extended_until else due


# New signers (DESIGN §3) -------------------------------------------------------------------

def first_signed_on(db: Session, organisation_id: int) -> date | None:
    """The local date the company's current run of pledging began (re-signing a new version
    keeps it; a withdrawal ends it): the date portal.directory.status uses for new signers."""
    from portal.pledges.models import Pledge

    signed_at = db.execute(sa.select(sa.func.min(Pledge.signed_at)).where(
        Pledge.organisation_id == organisation_id, Pledge.withdrawn_at.is_(None))).scalar()
    return clock.local(signed_at).date() if signed_at else None


def new_signer_case(cycle: ReportingCycle, signed_on: date | None) -> str | None:
    """"after_due" or "window" when the company pledged too late to owe this cycle's
    attestation (its first one is due next cycle: this one is optional, never late); None
    when it must report. The same rule as portal.directory.status (Pledged, not Overdue)."""
    if signed_on is None:
        return None
    if signed_on > cycle.due_on:
        return "after_due"
    if signed_on > cycle.due_on - timedelta(days=cycle.new_signer_window_days):
        return "window"
    return None


def reporting_optional(db: Session, attestation: Attestation) -> bool:
    return new_signer_case(attestation.cycle,
                           first_signed_on(db, attestation.organisation_id)) is not None


def is_editable(attestation: Attestation, today: date | None = None) -> bool:
    today = today or clock.today()
    return attestation.status in EDITABLE and today <= submission_deadline(attestation)


def is_closed_for(cycle: ReportingCycle, attestation: Attestation | None, today: date) -> bool:
    """Past every deadline with nothing that reopens the form."""
    if attestation is not None:
        return attestation.status in EDITABLE and today > submission_deadline(attestation)
    return today > cycle.grace_until


def section_statuses(attestation: Attestation | None) -> dict[str, str]:
    saved = dict((attestation.section_status or {}) if attestation else {})
    if attestation is not None and attestation.status in EDITABLE:
        # A reopened form needs a new declaration, whatever the last submission said.
        saved.pop("declaration", None)
    return {key: saved.get(key, "not_started") for key in SECTION_KEYS}


def _guard_version(db: Session, attestation: Attestation, key: str, seen: int) -> None:
    if (attestation.section_versions or {}).get(key, 0) != seen:
        raise EditConflict(key)
    # Compare-and-swap on the row: of two saves racing past the check above, one wins and
    # the other sees a conflict (PostgreSQL holds the row lock until commit).
    bumped = db.execute(
        sa.update(Attestation).where(Attestation.id == attestation.id,
                                     Attestation.row_version == attestation.row_version)
        .values(row_version=Attestation.row_version + 1)
        .execution_options(synchronize_session=False))
    if bumped.rowcount != 1:
        raise EditConflict(key)
    attestation.row_version += 1
    versions = dict(attestation.section_versions or {})
    versions[key] = seen + 1
    attestation.section_versions = versions


def save_section(db: Session, attestation: Attestation, key: str, values: dict, seen: int,
                 actor) -> None:
    """Store a complete, valid section; raises EditConflict when it changed meanwhile."""
    _guard_version(db, attestation, key, seen)
    answers = copy.deepcopy(attestation.answers or {})
    if key == "learning":
        _keep_record_link(answers.get("learning") or {}, values)
    answers[key] = values
    _set_answers(attestation, answers)
    _set_status(attestation, key, "completed")
    _drop_draft(attestation, key)
    record(db, "attestation_section_saved", actor=actor, obj=attestation,
           organisation_id=attestation.organisation_id, detail={"section": key})
    db.flush()


def _keep_record_link(saved: dict, values: dict) -> None:
    """The imported learning record stays linked while its figures are the ones declared."""
    if "record_file_id" in saved:
        values["record_file_id"] = saved["record_file_id"]
    if saved.get("record_employees") and \
            saved.get("total_hours") == values.get("total_hours") and \
            saved.get("employees_meeting_hour") == values.get("employees_meeting_hour"):
        values["record_employees"] = saved["record_employees"]


def save_draft_inputs(db: Session, attestation: Attestation, key: str, raw: dict, seen: int,
                      actor) -> None:
    """'Save and come back later' with answers that do not validate yet: keep them as typed."""
    _guard_version(db, attestation, key, seen)
    drafts = dict(attestation.draft_inputs or {})
    drafts[key] = raw
    attestation.draft_inputs = drafts
    _set_status(attestation, key, "in_progress")
    record(db, "attestation_draft_saved", actor=actor, obj=attestation,
           organisation_id=attestation.organisation_id, detail={"section": key})
    db.flush()


def mark_section_complete(db: Session, attestation: Attestation, key: str, actor) -> None:
    _set_status(attestation, key, "completed")
    record(db, "attestation_section_saved", actor=actor, obj=attestation,
           organisation_id=attestation.organisation_id, detail={"section": key})
    db.flush()


def _set_answers(attestation: Attestation, answers: dict) -> None:
    attestation.answers = answers
    derived = metrics.compute_metrics(answers)
    attestation.headcount = derived["headcount"]
    # Sections can be saved in any order, so A may change after B: impossible figures are
    # not stored as metrics (readiness_problems names them before submission).
    avg, coverage = derived["avg_hours_per_week"], derived["coverage_pct"]
    attestation.avg_hours_per_week = avg if avg is not None and avg <= 168 else None
    attestation.coverage_pct = coverage if coverage is not None and coverage <= 100 else None


def _set_status(attestation: Attestation, key: str, status: str) -> None:
    statuses = dict(attestation.section_status or {})
    statuses[key] = status
    attestation.section_status = statuses
    if key in (attestation.copied_sections or []) and status == "completed":
        attestation.copied_sections = [k for k in attestation.copied_sections if k != key]


def _drop_draft(attestation: Attestation, key: str) -> None:
    if key in (attestation.draft_inputs or {}):
        attestation.draft_inputs = {k: v for k, v in attestation.draft_inputs.items()
                                    if k != key}


def previous_attestation(db: Session, organisation_id: int, year: int) -> Attestation | None:
    """The company's latest earlier attestation that was ever submitted."""
    return db.execute(
        sa.select(Attestation).join(ReportingCycle, Attestation.cycle_id == ReportingCycle.id)
        .where(Attestation.organisation_id == organisation_id, ReportingCycle.year < year,
               Attestation.status != AttestationStatus.DRAFT)
        .order_by(ReportingCycle.year.desc()).limit(1)
    ).scalar_one_or_none()


def copy_last_year(db: Session, attestation: Attestation, previous: Attestation, actor) -> list:
    """Copy policies, practices and URLs (never figures); each copied section asks for review."""
    answers = copy.deepcopy(attestation.answers or {})
    copied = []
    for key, names in REUSABLE_FIELDS.items():
        old = (previous.answers or {}).get(key) or {}
        reused = {name: old[name] for name in names if name in old}
        if reused and (attestation.section_status or {}).get(key) != "completed":
            answers[key] = {**(answers.get(key) or {}), **reused}
            _set_status(attestation, key, "in_progress")
            copied.append(key)
    _set_answers(attestation, answers)
    attestation.copied_sections = sorted(set(attestation.copied_sections or []) | set(copied))
    attestation.row_version += 1
    record(db, "attestation_copied_last_year", actor=actor, obj=attestation,
           organisation_id=attestation.organisation_id,
           detail={"from": previous.id, "sections": copied})
    db.flush()
    return copied


# Submission -----------------------------------------------------------------------------

def readiness_problems(attestation: Attestation) -> list[tuple[str, str]]:
    """(section key, message) for everything that stops a submission."""
    from portal.attestations.sections import BY_KEY

    statuses = section_statuses(attestation)
    problems = [(key, f"Complete section {BY_KEY[key].letter}: {BY_KEY[key].title}")
                for key in FORM_SECTIONS if statuses[key] != "completed"]
    answers = attestation.answers or {}
    workforce, learning = answers.get("workforce") or {}, answers.get("learning") or {}
    headcount, meeting = workforce.get("headcount"), learning.get("employees_meeting_hour")
    if headcount and meeting is not None and meeting > headcount:
        problems.append(("learning", f"Employees meeting the hour ({meeting:,}) cannot exceed "
                                     f"headcount ({headcount:,})"))
    weeks = metrics.period_weeks(workforce)
    if headcount and weeks and learning.get("total_hours") is not None \
            and learning["total_hours"] > headcount * 40 * float(weeks):
        problems.append(("learning", "Total hours cannot be more than 40 hours a week for "
                                     "every employee: check the headcount and the hours"))
    return problems


def evidence_files(db: Session, attestation_id: int, purpose: str = "evidence"):
    return list(db.execute(
        sa.select(EvidenceFile).where(EvidenceFile.attestation_id == attestation_id,
                                      EvidenceFile.purpose == purpose,
                                      EvidenceFile.deleted_at.is_(None))
        .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)).scalars())


def build_snapshot(db: Session, attestation: Attestation, declaration: dict) -> dict:
    """Exactly what is declared: plain JSON, hashed and frozen on submission."""
    derived = metrics.compute_metrics(attestation.answers or {})
    return {
        "answers": copy.deepcopy(attestation.answers or {}),
        "organisation": {"id": attestation.organisation_id,
                         "name": attestation.organisation.name},
        "cycle": {"year": attestation.cycle.year,
                  "min_avg_hours_per_week": str(attestation.cycle.min_avg_hours_per_week),
                  "min_coverage_pct": attestation.cycle.min_coverage_pct},
        "metrics": {k: (None if v is None else str(v)) for k, v in derived.items()},
        "evidence": [{"id": f.id, "filename": f.filename, "media_type": f.media_type,
                      "size": f.size, "sha256": f.sha256}
                     for f in evidence_files(db, attestation.id)],
        "declaration": declaration,
    }


def canonical_sha256(snapshot: dict) -> str:
    body = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def submit_attestation(db: Session, attestation: Attestation, actor, *, declaration_name: str,
                       declaration_role: str) -> AttestationVersion:
    """Freeze a new version, mark it submitted, audit, queue the receipt, tell other domains."""
    today, now = clock.today(), clock.now()
    if not is_editable(attestation, today):
        raise SubmissionRefused("This attestation cannot be submitted now")
    if readiness_problems(attestation):
        raise SubmissionRefused("Complete every section before you submit")
    number = 1 + (db.execute(sa.select(sa.func.max(AttestationVersion.number)).where(
        AttestationVersion.attestation_id == attestation.id)).scalar() or 0)
    is_late = _is_late(db, attestation, today)
    reference = f"AT-{attestation.cycle.year}-{attestation.organisation_id:06d}-{number}"
    snapshot = build_snapshot(db, attestation, {"name": declaration_name,
                                                "role": declaration_role})
    snapshot.update(reference=reference, version=number, is_late=is_late,
                    submitted_at=now.isoformat())
    version = AttestationVersion(
        attestation_id=attestation.id, number=number, reference=reference, snapshot=snapshot,
        sha256=canonical_sha256(snapshot), submitted_at=now, submitted_by_id=actor.id,
        is_late=is_late, headcount=attestation.headcount,
        avg_hours_per_week=attestation.avg_hours_per_week, coverage_pct=attestation.coverage_pct)
    db.add(version)
    attestation.status = AttestationStatus.SUBMITTED
    attestation.submitted_at, attestation.submitted_by_id = now, actor.id
    attestation.first_submitted_at = attestation.first_submitted_at or now
    attestation.is_late = is_late
    attestation.declaration_name, attestation.declaration_role = declaration_name, \
        declaration_role
    _set_status(attestation, "declaration", "completed")
    attestation.row_version += 1
    db.flush()
    record(db, "attestation_submitted", actor=actor, obj=attestation,
           organisation_id=attestation.organisation_id,
           detail={"reference": reference, "sha256": version.sha256, "late": is_late},
           personal={"declaration_name": declaration_name})
    _queue_receipt(db, attestation, version, actor)
    signals.attestation_submitted.send(current_app._get_current_object(), db=db,
                                       attestation=attestation, version=version, actor=actor)
    return version


def _is_late(db: Session, attestation: Attestation, today: date) -> bool:
    """Late only when the company owed it and sent it after its due date (or extension).
    Changes sent within the change-request deadline are on time; a new signer's optional
    attestation is never late."""
    if attestation.status == AttestationStatus.CHANGES_REQUESTED and \
            attestation.changes_due_on and today <= attestation.changes_due_on:
        return False
    if reporting_optional(db, attestation):
        return False
    if attestation.first_submitted_at is not None:
        return attestation.is_late
    return today > on_time_until(attestation)


def _queue_receipt(db: Session, attestation, version, actor) -> None:
    queue_mail(
        db, "attestation_receipt", actor.email,
        f"Attestation received: {version.reference}",
        {"name": actor.name, "organisation_name": attestation.organisation.name,
         "year": attestation.cycle.year, "reference": version.reference,
         "sha256": version.sha256, "is_late": version.is_late,
         "submitted_at": version.submitted_at,
         "url": url_for("attestations.index", _external=True)},
        dedupe_key=f"attestation_receipt:{attestation.cycle.year}:"
                   f"{attestation.organisation_id}:{version.number}",
        user_id=actor.id, organisation_id=attestation.organisation_id)


def latest_version(db: Session, attestation: Attestation) -> AttestationVersion | None:
    return db.execute(
        sa.select(AttestationVersion).where(AttestationVersion.attestation_id == attestation.id)
        .order_by(AttestationVersion.number.desc()).limit(1)).scalar_one_or_none()


def sections_awaiting_changes(db: Session, attestation: Attestation | None,
                              version: AttestationVersion | None) -> set[str]:
    """Sections a reviewer asked to change that still hold what was submitted."""
    if attestation is None or attestation.status != AttestationStatus.CHANGES_REQUESTED:
        return set()
    asked = {key for key, text in (attestation.review_messages or {}).items() if text}
    if version is None:
        return asked
    submitted = (version.snapshot or {}).get("answers") or {}
    current = attestation.answers or {}
    waiting = set()
    for key in asked:
        if key == "evidence":
            before = {item.get("id") for item in (version.snapshot or {}).get("evidence") or []}
            if before == {f.id for f in evidence_files(db, attestation.id)}:
                waiting.add(key)
        elif current.get(key) == submitted.get(key):
            waiting.add(key)
    return waiting


def latest_certificate(db: Session, attestation: Attestation):
    """The newest certificate issued for this attestation (revoked ones included), if any."""
    from portal.certificates.models import Certificate

    return db.execute(
        sa.select(Certificate).where(Certificate.attestation_id == attestation.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(1)
    ).scalar_one_or_none()


# Retention ------------------------------------------------------------------------------

def purge_expired_learning_records(db: Session) -> int:
    """Delete learning-record CSV bytes (employee-level data) older than the retention
    period; the totals computed from them stay in the answers. Returns files purged."""
    days = current_app.config.get("EVIDENCE_RETENTION_DAYS", 396)
    cutoff = clock.now() - timedelta(days=days)
    expired = list(db.execute(
        sa.select(EvidenceFile.id).where(EvidenceFile.purpose == "learning_record",
                                         EvidenceFile.deleted_at.is_(None),
                                         EvidenceFile.uploaded_at < cutoff)).scalars())
    if not expired:
        return 0
    for start in range(0, len(expired), 500):
        chunk = expired[start:start + 500]
        db.execute(sa.delete(EvidenceBlob).where(EvidenceBlob.evidence_file_id.in_(chunk)))
        db.execute(sa.update(EvidenceFile).where(EvidenceFile.id.in_(chunk))
                   .values(deleted_at=clock.now()).execution_options(synchronize_session=False))
    record(db, "learning_records_purged", object_type="evidence_files",
           detail={"count": len(expired), "retention_days": days})
    db.flush()
    return len(expired)
