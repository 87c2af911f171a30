"""A company's public status timeline: what happened to its standing, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.certificates.models import Certificate
from portal.directory.status import CycleDates, all_cycles, resign_deadlines
from portal.organisations.models import Organisation
from portal.pledges.models import CodeVersion, Pledge


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    label: str
    colour: str
    detail: str | None = None
    verification_id: str | None = None  # links a certificate event to its verification page


def build_timeline(db: Session, organisation: Organisation, today: date) -> list[TimelineEntry]:
    """The public history of a company's standing, oldest first: pledges, reports, overdue and
    non-reporting cycles, certificates, lapses, withdrawal and delisting, with their dates."""
    pledges = list(db.execute(
        sa.select(Pledge).where(Pledge.organisation_id == organisation.id)
        .order_by(Pledge.signed_at, Pledge.id)).scalars())
    entries = _pledge_entries(db, pledges, today)
    # Reports before certificates: on the same day, the report came first.
    entries += _cycle_entries(db, organisation.id, pledges, today)
    entries += _certificate_entries(db, organisation.id)
    if organisation.delisted_at is not None:
        entries.append(TimelineEntry(clock.local(organisation.delisted_at).date(), "Delisted",
                                     "red", organisation.delisted_reason))
    return sorted(entries, key=lambda entry: entry.on)


def _pledge_entries(db: Session, pledges: list[Pledge], today: date) -> list[TimelineEntry]:
    versions = list(db.execute(
        sa.select(CodeVersion.id, CodeVersion.published_at)
        .where(CodeVersion.published_at.is_not(None)).order_by(CodeVersion.number)))
    deadlines = resign_deadlines(versions, all_cycles(db))
    entries = []
    for pledge in pledges:
        resigned = pledge.withdrawn_at is None and any(
            p.superseded_by_id == pledge.id for p in pledges)
        label = "Re-signed the pledge" if resigned else "Pledged"
        entries.append(TimelineEntry(clock.local(pledge.signed_at).date(), label, "purple",
                                     f"Code of practice version {pledge.code_version.number}"))
        if pledge.withdrawn_at is not None:
            entries.append(TimelineEntry(clock.local(pledge.withdrawn_at).date(),
                                         "Withdrew the pledge", "grey"))
        deadline = deadlines.get(pledge.code_version_id)
        if pledge.is_active and deadline is not None and today > deadline:
            entries.append(TimelineEntry(deadline + timedelta(days=1), "Lapsed", "grey",
                                         "Did not re-sign the new version of the code in time"))
    return entries


def _certificate_entries(db: Session, organisation_id: int) -> list[TimelineEntry]:
    rows = db.execute(
        sa.select(Certificate.number, Certificate.verification_id, Certificate.issued_at,
                  Certificate.revoked_at, ReportingCycle.year)
        .join(ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
        .where(Certificate.organisation_id == organisation_id).order_by(Certificate.issued_at))
    entries = []
    for number, verification_id, issued_at, revoked_at, year in rows:
        entries.append(TimelineEntry(clock.local(issued_at).date(), f"Certified {year}", "green",
                                     f"Certificate {number}", verification_id))
        if revoked_at is not None:
            entries.append(TimelineEntry(clock.local(revoked_at).date(),
                                         f"Certificate for {year} revoked", "red",
                                         f"Certificate {number}", verification_id))
    return entries


def _cycle_entries(db: Session, organisation_id: int, pledges: list[Pledge], today: date
                   ) -> list[TimelineEntry]:
    attestations = {a.cycle_id: a for a in db.execute(
        sa.select(Attestation).where(Attestation.organisation_id == organisation_id)).scalars()}
    entries = []
    for cycle in all_cycles(db):
        if cycle.opens_on > today or not _expected_to_report(cycle, pledges):
            continue
        entries += _one_cycle(cycle, attestations.get(cycle.id), today)
    return entries


def _expected_to_report(cycle: CycleDates, pledges: list[Pledge]) -> bool:
    """Pledged before the new-signer window and not withdrawn before the due date."""
    cutoff = clock.end_of_day(cycle.due_on - timedelta(days=cycle.new_signer_window_days))
    due_end = clock.end_of_day(cycle.due_on)
    return any(p.signed_at <= cutoff and (p.withdrawn_at is None or p.withdrawn_at > due_end)
               for p in pledges)


def _one_cycle(cycle: CycleDates, attestation: Attestation | None, today: date):
    extended = attestation.extended_until if attestation else None
    due = max(cycle.due_on, extended or cycle.due_on)
    grace = max(cycle.grace_until, extended or cycle.grace_until)
    submitted_at = attestation.first_submitted_at if attestation else None
    entries = []
    if submitted_at is not None:
        entries.append(TimelineEntry(clock.local(submitted_at).date(),
                                     f"Reported for {cycle.year}", "blue"))
    if today > due and (submitted_at is None or submitted_at > clock.end_of_day(due)):
        entries.append(TimelineEntry(due + timedelta(days=1), f"Overdue {cycle.year}", "orange"))
    status = attestation.status if attestation else None
    if status == AttestationStatus.REJECTED and attestation.decided_at is not None:
        entries.append(TimelineEntry(clock.local(attestation.decided_at).date(),
                                     f"Non-reporting {cycle.year}", "red",
                                     "The report was not accepted"))
    elif today > grace and (submitted_at is None or submitted_at > clock.end_of_day(grace)):
        entries.append(TimelineEntry(grace + timedelta(days=1), f"Non-reporting {cycle.year}",
                                     "red"))
    return entries
