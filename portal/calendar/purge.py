"""Deleting what was started and abandoned: draft attestations of closed cycles and company
registrations whose email address was never confirmed (DESIGN §9: abandoned applications are
deleted after a few months). Rows anything else points at are kept: only true leftovers go.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    EvidenceBlob,
    EvidenceFile,
    ReportingCycle,
)
from portal.audit.service import record
from portal.auth.models import User
from portal.calendar.models import ReminderOptOut
from portal.db import Base
from portal.organisations.models import Organisation
from portal.privacy.service import erase_account

DEFAULT_AGE_DAYS = 180


def _referenced(db: Session, table_name: str, ids: list[int], ignore: set[str]) -> set[int]:
    """Ids of `table_name` that a row of any other table (but `ignore`) still points at.

    Walks the foreign keys of every model, so a table another domain adds later protects
    its rows without this module knowing about it.
    """
    found: set[int] = set()
    for table in Base.metadata.sorted_tables:
        if table.name in ignore:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == table_name and fk.parent.table is table:
                found |= set(db.execute(sa.select(fk.parent).where(fk.parent.in_(ids)))
                             .scalars())
    return found


def purge_abandoned_drafts(db: Session, older_than: timedelta) -> int:
    """Drafts never submitted, untouched for `older_than`, of cycles whose last day passed."""
    today = clock.today()
    ids = list(db.execute(
        sa.select(Attestation.id).join(ReportingCycle, ReportingCycle.id == Attestation.cycle_id)
        .where(Attestation.status == AttestationStatus.DRAFT,
               Attestation.submitted_at.is_(None),
               Attestation.updated_at < clock.now() - older_than,
               ReportingCycle.grace_until < today,
               sa.or_(Attestation.extended_until.is_(None), Attestation.extended_until < today))
    ).scalars())
    if not ids:
        return 0
    ids = [i for i in ids if i not in _referenced(db, "attestations", ids,
                                                  {"evidence_files", "attestations"})]
    files = sa.select(EvidenceFile.id).where(EvidenceFile.attestation_id.in_(ids))
    db.execute(sa.delete(EvidenceBlob).where(EvidenceBlob.evidence_file_id.in_(files)))
    db.execute(sa.delete(EvidenceFile).where(EvidenceFile.attestation_id.in_(ids)))
    db.execute(sa.delete(Attestation).where(Attestation.id.in_(ids))
               .execution_options(synchronize_session=False))
    return len(ids)


def purge_unverified_registrations(db: Session, older_than: timedelta) -> tuple[int, int]:
    """Member accounts never confirmed and not used for `older_than`: the person is erased
    the way a deletion request erases them (portal.privacy), and the company they registered
    is deleted when nothing else points at it. Returns (people, companies)."""
    cutoff = clock.now() - older_than
    users = list(db.execute(sa.select(User).where(
        User.email_verified_at.is_(None), User.staff_role.is_(None), User.erased_at.is_(None),
        User.created_at < cutoff,
        sa.or_(User.last_login_at.is_(None), User.last_login_at < cutoff))).scalars())
    if not users:
        return 0, 0
    # Someone who left a trace (signed, submitted, invited…) is not an abandoned registration.
    keep = _referenced(db, "users", [u.id for u in users], {"reminder_opt_outs"})
    gone = [user for user in users if user.id not in keep]
    org_ids = sorted({u.organisation_id for u in gone if u.organisation_id is not None})
    for user in gone:
        db.execute(sa.delete(ReminderOptOut).where(ReminderOptOut.user_id == user.id))
        erase_account(db, user)
    db.flush()
    if org_ids:
        org_ids = [o for o in org_ids if o not in _referenced(db, "organisations", org_ids,
                                                              set())]
        db.execute(sa.delete(Organisation).where(Organisation.id.in_(org_ids))
                   .execution_options(synchronize_session=False))
    return len(gone), len(org_ids)


def purge_abandoned(db: Session, older_than_days: int = DEFAULT_AGE_DAYS) -> dict[str, int]:
    older_than = timedelta(days=older_than_days)
    drafts = purge_abandoned_drafts(db, older_than)
    people, companies = purge_unverified_registrations(db, older_than)
    counts = {"drafts": drafts, "unverified_people": people, "companies": companies}
    if any(counts.values()):
        # Counts only: what was deleted was never confirmed, and names are personal data.
        record(db, "abandoned_records_purged", object_type="purge",
               detail={**counts, "older_than_days": older_than_days})
    db.flush()
    return counts
