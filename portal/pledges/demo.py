"""Demo pledges: version 2 of the code (pay-gap reporting added to "Measure"); most companies
signed it (many by re-signing their version 1 pledge), some still hold version 1 only and must
re-sign, a few never signed, one withdrew. Idempotent; bulk inserts for 10,000 companies.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.audit.service import record
from portal.pledges.models import CodeVersion, Pledge
from portal.pledges.service import canonical_text, make_reference, sha256_text

VERSION_2_TITLE = "The People Pillar, version 2"
VERSION_2_SUMMARY = (
    "“Measure” now also asks companies with 250 or more employees to publish their gender "
    "pay-gap report, and all companies to offer DE&I training every year.")
VERSION_2_MEASURE = (
    "Workforce diversity data is collected (voluntary, anonymised), DE&I training is offered to "
    "all staff every year, and companies with 250 or more employees publish their gender "
    "pay-gap report.")
WITHDRAWN_INDEX = 6  # Harbour & Finch in the named demo companies
WITHDRAWAL_REASON = ("We are merging with another agency and will sign again as the new "
                     "company once the merger completes.")
SIGNATORIES = [("Alex Morgan", "Managing Director"), ("Priya Shah", "Chief Executive"),
               ("Tom Reed", "Chief People Officer"), ("Siân Evans", "HR Director"),
               ("Chidi Okeke", "Founder and Director"), ("Joanna Kowalska", "Chief Operating "
                                                                            "Officer")]


def seed(db: Session, ctx) -> None:
    v1 = db.execute(sa.select(CodeVersion).where(CodeVersion.number == 1)).scalar_one()
    v2_published_at = datetime.combine(clock.today() - timedelta(days=45), time(9, 0), UTC)
    v2 = _ensure_version_2(db, ctx, v1, v2_published_at)
    signed = set(db.execute(sa.select(Pledge.organisation_id).distinct()).scalars())
    plans = [(index, organisation) for index, organisation in enumerate(ctx.companies)
             if organisation.id not in signed and organisation.id in ctx.admins]
    rows, history = [], []
    for index, organisation in plans:
        kind = _kind(index)
        if kind == "none":
            continue
        row = _row(ctx, index, organisation, v1 if kind in ("v1", "withdrawn") else v2,
                   kind, v1, v2_published_at, sequence=2 if kind == "resigned" else 1)
        rows.append(row)
        if kind == "resigned":
            history.append((index, organisation))
    _bulk_insert(db, rows)
    _insert_superseded(db, ctx, history, v1, v2_published_at)
    ctx.lines += _lines(ctx)


def _kind(index: int) -> str:
    if index == WITHDRAWN_INDEX:
        return "withdrawn"
    if index % 25 == 13:
        return "none"  # registered, not pledged yet
    if index % 10 == 1:
        return "v1"  # re-signing required
    if index % 10 in (3, 7):
        return "v2"  # joined after version 2 was published
    return "resigned"  # signed version 1, re-signed version 2


def _ensure_version_2(db: Session, ctx, v1: CodeVersion, published_at: datetime) -> CodeVersion:
    v2 = db.execute(sa.select(CodeVersion).where(CodeVersion.number == 2)).scalar_one_or_none()
    if v2 is not None:
        return v2
    commitments = [dict(c) for c in v1.commitments]
    for commitment in commitments:
        if commitment["heading"] == "Measure":
            commitment["body"] = VERSION_2_MEASURE
    publisher = next(iter(ctx.staff.values()), None)
    v2 = CodeVersion(number=2, title=VERSION_2_TITLE, summary_of_changes=VERSION_2_SUMMARY,
                     commitments=commitments, created_at=published_at - timedelta(days=14),
                     published_at=published_at, created_by_id=getattr(publisher, "id", None),
                     published_by_id=getattr(publisher, "id", None))
    db.add(v2)
    db.flush()
    record(db, "code_version_published", actor=publisher, obj=v2,
           detail={"number": 2, "title": v2.title, "demo": True})
    return v2


def _row(ctx, index, organisation, version, kind, v1, v2_published_at, sequence) -> dict:
    signed_at = _signed_at(ctx, kind, v2_published_at, resigned=sequence == 2)
    name, title = SIGNATORIES[index % len(SIGNATORIES)]
    text = canonical_text(version, organisation.name)
    row = {
        "reference": make_reference(organisation.id, sequence, signed_at.year),
        "organisation_id": organisation.id, "code_version_id": version.id,
        "signed_by_id": ctx.admins[organisation.id].id, "signatory_name": name,
        "signatory_title": title, "signed_at": signed_at, "signed_text": text,
        "text_sha256": sha256_text(text), "ip_address": f"203.0.113.{index % 250 + 1}",
        "user_agent": "Mozilla/5.0 (demo data)", "active_organisation_id": organisation.id,
        "withdrawn_at": None, "withdrawn_by_id": None, "withdrawal_reason": None,
    }
    if kind == "withdrawn":
        row.update(active_organisation_id=None, withdrawn_at=clock.now() - timedelta(days=20),
                   withdrawn_by_id=row["signed_by_id"], withdrawal_reason=WITHDRAWAL_REASON)
    return row


def _signed_at(ctx, kind: str, v2_published_at: datetime, resigned: bool) -> datetime:
    """Version 1 pledges spread over the year before version 2; re-signing within weeks."""
    if kind == "v2" or resigned:
        return v2_published_at + timedelta(days=ctx.rng.randint(1, 40),
                                           minutes=ctx.rng.randint(0, 600))
    earliest = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
    span = max((v2_published_at - earliest).days - 30, 1)
    return earliest + timedelta(days=ctx.rng.randint(0, span), minutes=ctx.rng.randint(0, 600))


def _insert_superseded(db: Session, ctx, history, v1, v2_published_at) -> None:
    """The version 1 pledges that re-signing replaced, linked to their successors."""
    if not history:
        return
    successors = dict(db.execute(
        sa.select(Pledge.organisation_id, Pledge.id).where(
            Pledge.organisation_id.in_([o.id for _, o in history]),
            Pledge.active_organisation_id.is_not(None))).all())
    signed_at = {pid: at for pid, at in db.execute(
        sa.select(Pledge.id, Pledge.signed_at).where(Pledge.id.in_(successors.values())))}
    rows = []
    for index, organisation in history:
        row = _row(ctx, index, organisation, v1, "v1", v1, v2_published_at, sequence=1)
        successor = successors[organisation.id]
        row.update(active_organisation_id=None, superseded_by_id=successor,
                   superseded_at=signed_at[successor])
        rows.append(row)
    _bulk_insert(db, rows)


def _bulk_insert(db: Session, rows: list[dict], batch: int = 2000) -> None:
    for start in range(0, len(rows), batch):
        # Core, not ORM: the ORM form drops None values and splits mixed rows into more
        # statements; here every row has the same keys.
        db.execute(sa.insert(Pledge.__table__), rows[start:start + batch])


def _lines(ctx) -> list[str]:
    named = ctx.companies[:15]
    resign = [o.name for i, o in enumerate(named) if _kind(i) == "v1"]
    lines = ["", "Pledges: version 2 of the People Pillar is current."]
    if resign:
        lines.append(f"  must re-sign (signed version 1 only): {', '.join(resign)}")
    if len(named) > WITHDRAWN_INDEX:
        lines.append(f"  withdrew its pledge: {named[WITHDRAWN_INDEX].name}")
    unsigned = [o.name for i, o in enumerate(named) if _kind(i) == "none"]
    if unsigned:
        lines.append(f"  not signed yet: {', '.join(unsigned)}")
    return lines
