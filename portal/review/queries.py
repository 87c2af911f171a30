"""Read side of the review: the queue, its counts, and what the review page shows."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    AttestationVersion,
    EvidenceFile,
)
from portal.auth.models import User
from portal.organisations.models import Organisation
from portal.review.models import Review, RiskFlag, StaffNote
from portal.review.service import latest_version, previous_cycle_version
from portal.review.working_days import SERVICE_LEVEL_DAYS, working_days_between


def row_id(text: str) -> int | None:
    """A database id from a URL, or None: digits only, and small enough for any INTEGER."""
    return int(text) if text.isdigit() and len(text) <= 9 else None


QUEUE_STATUSES = ("submitted", "in_review", "changes_requested", "approved", "rejected")


@dataclass
class QueueFilters:
    status: str = "open"  # "open" = submitted or in review
    cycle_id: int | None = None
    reviewer: str = ""  # "", "me", "none" or a user id
    flagged: str = ""  # "", "yes", "no"
    late: str = ""  # "", "yes"

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        """Unknown values fall back to the default: a hand-edited URL never fails."""
        status = args.get("status", "open")
        reviewer = args.get("reviewer", "")
        return cls(
            status=status if status in (*QUEUE_STATUSES, "open", "all") else "open",
            cycle_id=row_id(args.get("cycle", "")),
            reviewer=reviewer if reviewer in ("", "me", "none") or row_id(reviewer) else "",
            flagged=args.get("flagged", "") if args.get("flagged") in ("yes", "no") else "",
            late="yes" if args.get("late") == "yes" else "",
        )

    def as_args(self) -> dict:
        values = {"status": self.status, "cycle": self.cycle_id or "",
                  "reviewer": self.reviewer, "flagged": self.flagged, "late": self.late}
        return {key: value for key, value in values.items() if value}


def _latest_version_id():
    return (sa.select(sa.func.max(AttestationVersion.id))
            .where(AttestationVersion.attestation_id == Attestation.id)
            .correlate(Attestation).scalar_subquery())


def _has_flags():
    return sa.exists().where(RiskFlag.attestation_id == Attestation.id,
                             RiskFlag.attestation_version_id == _latest_version_id())


def queue_query(filters: QueueFilters, current_user_id: int) -> sa.Select:
    query = sa.select(Attestation).where(Attestation.submitted_at.is_not(None))
    if filters.status == "open":
        query = query.where(Attestation.status.in_(
            [AttestationStatus.SUBMITTED, AttestationStatus.IN_REVIEW]))
    elif filters.status != "all":
        query = query.where(Attestation.status == AttestationStatus(filters.status))
    if filters.cycle_id:
        query = query.where(Attestation.cycle_id == filters.cycle_id)
    if filters.reviewer == "me":
        query = query.where(Attestation.assigned_reviewer_id == current_user_id)
    elif filters.reviewer == "none":
        query = query.where(Attestation.assigned_reviewer_id.is_(None))
    elif filters.reviewer:
        query = query.where(Attestation.assigned_reviewer_id == int(filters.reviewer))
    if filters.flagged == "yes":
        query = query.where(_has_flags())
    elif filters.flagged == "no":
        query = query.where(~_has_flags())
    if filters.late:
        query = query.where(Attestation.is_late.is_(True))
    # Oldest first: the service level runs from submission.
    return query.order_by(Attestation.submitted_at, Attestation.id)


def status_counts(db: Session, cycle_id: int | None = None) -> dict[str, int]:
    query = sa.select(Attestation.status, sa.func.count()).where(
        Attestation.submitted_at.is_not(None)).group_by(Attestation.status)
    if cycle_id:
        query = query.where(Attestation.cycle_id == cycle_id)
    counts = {status: 0 for status in QUEUE_STATUSES}
    for status, count in db.execute(query):
        counts[AttestationStatus(status).value] = count
    counts.pop("draft", None)
    return counts


@dataclass
class QueueRow:
    attestation: Attestation
    organisation: Organisation
    reviewer: User | None
    flag_count: int
    days_waiting: int

    @property
    def is_overdue(self) -> bool:
        return self.days_waiting > SERVICE_LEVEL_DAYS


def queue_rows(db: Session, attestations: list[Attestation]) -> list[QueueRow]:
    """Everything a queue page shows, in three queries whatever the page size."""
    if not attestations:
        return []
    ids = [a.id for a in attestations]
    organisations = {o.id: o for o in db.execute(sa.select(Organisation).where(
        Organisation.id.in_({a.organisation_id for a in attestations}))).scalars()}
    reviewer_ids = {a.assigned_reviewer_id for a in attestations} - {None}
    reviewers = {u.id: u for u in db.execute(
        sa.select(User).where(User.id.in_(reviewer_ids))).scalars()} if reviewer_ids else {}
    flag_counts = dict(db.execute(
        sa.select(RiskFlag.attestation_id, sa.func.count())
        .where(RiskFlag.attestation_id.in_(ids),
               RiskFlag.attestation_version_id == _latest_version_id_for(RiskFlag))
        .group_by(RiskFlag.attestation_id)).all())
    today = clock.today()
    return [QueueRow(a, organisations[a.organisation_id], reviewers.get(a.assigned_reviewer_id),
                     flag_counts.get(a.id, 0), waiting_days(a, today)) for a in attestations]


def _latest_version_id_for(flag_table):
    return (sa.select(sa.func.max(AttestationVersion.id))
            .where(AttestationVersion.attestation_id == flag_table.attestation_id)
            .correlate(flag_table).scalar_subquery())


def waiting_days(attestation: Attestation, today) -> int:
    """Working days since the latest submission (a decision stops the clock)."""
    if attestation.submitted_at is None:
        return 0
    end = clock.local(attestation.decided_at).date() if attestation.decided_at else today
    return working_days_between(clock.local(attestation.submitted_at).date(), end)


# The review page ---------------------------------------------------------------------------

@dataclass
class Change:
    section: str
    field: str
    before: object
    after: object


def flatten(answers: dict) -> dict[tuple[str, str], object]:
    return {(section, key): value for section, fields in (answers or {}).items()
            if isinstance(fields, dict) for key, value in fields.items()}


def diff_answers(before: dict, after: dict) -> list[Change]:
    old, new = flatten(before), flatten(after)
    return [Change(section, key, old.get((section, key)), new.get((section, key)))
            for section, key in sorted(old.keys() | new.keys())
            if old.get((section, key)) != new.get((section, key))]


@dataclass
class ReviewPage:
    attestation: Attestation
    version: AttestationVersion
    versions: list[AttestationVersion]
    diffs: dict[int, list[Change]]
    flags: list[RiskFlag]
    previous: AttestationVersion | None
    evidence: list[EvidenceFile]
    reviews: list[Review]
    notes: list[StaffNote]
    people: dict[int, User] = field(default_factory=dict)

    @property
    def answers(self) -> dict:
        return (self.version.snapshot or {}).get("answers", {})

    @property
    def declaration(self) -> dict:
        return (self.version.snapshot or {}).get("declaration") or {}

    @property
    def declared_evidence(self) -> list[dict]:
        """The evidence files as frozen in the version (what was declared)."""
        return (self.version.snapshot or {}).get("evidence") or []

    @property
    def files_by_id(self) -> dict[int, EvidenceFile]:
        """The company's files still held (a purged learning record is not here)."""
        return {file.id: file for file in self.evidence}

    @property
    def other_files(self) -> list[EvidenceFile]:
        """Files not in the frozen version: learning records, sampling uploads, later files."""
        declared = {item.get("id") for item in self.declared_evidence}
        return [file for file in self.evidence if file.id not in declared]


def review_page(db: Session, attestation: Attestation) -> ReviewPage | None:
    version = latest_version(db, attestation.id)
    if version is None:
        return None
    versions = list(db.execute(
        sa.select(AttestationVersion).where(AttestationVersion.attestation_id == attestation.id)
        .order_by(AttestationVersion.number)).scalars())
    diffs = {later.number: diff_answers(earlier.snapshot.get("answers", {}),
                                        later.snapshot.get("answers", {}))
             for earlier, later in zip(versions, versions[1:], strict=False)}
    reviews = list(db.execute(sa.select(Review).where(
        Review.attestation_id == attestation.id).order_by(Review.id)).scalars())
    notes = list(db.execute(sa.select(StaffNote).where(
        StaffNote.attestation_id == attestation.id).order_by(StaffNote.id)).scalars())
    person_ids = {r.reviewer_id for r in reviews} | {n.author_id for n in notes} | {
        v.submitted_by_id for v in versions} | {attestation.assigned_reviewer_id}
    person_ids.discard(None)
    people = {u.id: u for u in db.execute(
        sa.select(User).where(User.id.in_(person_ids))).scalars()} if person_ids else {}
    return ReviewPage(
        attestation=attestation, version=version, versions=versions, diffs=diffs,
        flags=list(db.execute(sa.select(RiskFlag).where(
            RiskFlag.attestation_version_id == version.id).order_by(RiskFlag.id)).scalars()),
        previous=previous_cycle_version(db, attestation),
        evidence=list(db.execute(sa.select(EvidenceFile).where(
            EvidenceFile.attestation_id == attestation.id, EvidenceFile.deleted_at.is_(None))
            .order_by(EvidenceFile.id)).scalars()),
        reviews=reviews, notes=notes, people=people,
    )


@dataclass
class MetricRow:
    label: str
    this_year: object
    last_year: object
    threshold: object = None
    meets: bool | None = None
    places: int = 1
    unit: str = ""

    @property
    def change(self):
        if self.this_year is None or self.last_year is None:
            return None
        return self.this_year - self.last_year


def metric_rows(version: AttestationVersion, previous: AttestationVersion | None,
                cycle) -> list[MetricRow]:
    """This year's derived metrics beside last year's and the cycle's thresholds."""
    def last(name):
        return getattr(previous, name) if previous else None

    avg, coverage = version.avg_hours_per_week, version.coverage_pct
    return [
        MetricRow("Headcount", version.headcount, last("headcount"), places=0),
        MetricRow("Average learning hours per employee per week", avg,
                  last("avg_hours_per_week"), cycle.min_avg_hours_per_week,
                  None if avg is None else avg >= cycle.min_avg_hours_per_week, unit=" hours"),
        MetricRow("Employees averaging an hour a week", coverage, last("coverage_pct"),
                  cycle.min_coverage_pct,
                  None if coverage is None else coverage >= cycle.min_coverage_pct, unit="%"),
    ]
