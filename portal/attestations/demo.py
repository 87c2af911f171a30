"""Demo cycles and attestations: the current year's cycle (1 April, due 31 July, late until
31 December) and earlier closed ones; attestations in every status, each submission frozen
as a version. Idempotent (companies that already have an attestation for a cycle are
skipped) and bulk-inserted, so 10,000 companies load in seconds.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.metrics import compute_metrics
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    AttestationVersion,
    ReportingCycle,
)
from portal.attestations.service import canonical_sha256
from portal.auth.models import StaffRole
from portal.pledges.models import Pledge

# By position among the pledged companies: the first ones are the named demo logins.
THIS_YEAR = ["draft", "submitted", "in_review", "changes_requested", "approved", "rejected",
             "approved", "submitted", "none", "approved", "draft", "in_review"]
LAST_YEAR = ["approved", "approved", "approved", "approved", "rejected", "approved", "none",
             "approved", "approved", "submitted"]
CHANGE_MESSAGE = {"learning": "Your total hours look high for your headcount. Check the figure "
                              "and tell us how learning time was recorded."}
REJECTION = "The learning figures could not be supported by any evidence after two requests."


def seed(db: Session, ctx) -> None:
    today = clock.today()
    current_year = today.year if today >= date(today.year, 4, 1) else today.year - 1
    cycles = [_ensure_cycle(db, current_year - n) for n in range(max(ctx.cycles, 1))]
    db.flush()
    pledged = list(db.execute(
        sa.select(Pledge.organisation_id).where(Pledge.active_organisation_id.is_not(None))
        .order_by(Pledge.organisation_id)).scalars())
    names = {o.id: o.name for o in ctx.companies}
    admins = {org_id: getattr(user, "id", None) for org_id, user in ctx.admins.items()}
    reviewer = next((u.id for u in ctx.staff.values()
                     if u.staff_role == StaffRole.REVIEWER), None)
    for age, cycle in enumerate(cycles):
        plan = THIS_YEAR if age == 0 else LAST_YEAR
        _seed_cycle(db, ctx, cycle, pledged, plan, names, admins, reviewer, today)
    ctx.lines += _lines(db, ctx, cycles[0])


def _lines(db: Session, ctx, cycle: ReportingCycle) -> list[str]:
    """Which demo login shows which attestation status, so every state is one sign-in away."""
    counts = db.execute(sa.select(Attestation.status, sa.func.count())
                        .group_by(Attestation.status)).all()
    lines = ["", "Attestations: " + ", ".join(f"{n:,} {s.value.replace('_', ' ')}"
                                               for s, n in sorted(counts))]
    named = {o.id: o.name for o in ctx.companies[:15]}
    shown = db.execute(sa.select(Attestation.organisation_id, Attestation.status).where(
        Attestation.cycle_id == cycle.id, Attestation.organisation_id.in_(list(named)))
        .order_by(Attestation.organisation_id)).all()
    lines += [f"  {cycle.year} attestation {status.value.replace('_', ' '):<18} "
              f"{named[org_id]}" for org_id, status in shown]
    return lines


def _ensure_cycle(db: Session, year: int) -> ReportingCycle:
    cycle = db.execute(sa.select(ReportingCycle).where(ReportingCycle.year == year)
                       ).scalar_one_or_none()
    if cycle is None:
        cycle = ReportingCycle(year=year, opens_on=date(year, 4, 1), due_on=date(year, 7, 31),
                               grace_until=date(year, 12, 31))
        db.add(cycle)
    return cycle


def _seed_cycle(db, ctx, cycle, pledged, plan, names, admins, reviewer, today) -> None:
    done = set(db.execute(sa.select(Attestation.organisation_id)
                          .where(Attestation.cycle_id == cycle.id)).scalars())
    rows, versions = [], {}
    for index, org_id in enumerate(pledged):
        status = plan[index % len(plan)]
        if status == "none" or org_id in done or org_id not in names:
            continue
        row, snapshot = _attestation_row(ctx, cycle, org_id, names[org_id], status, admins,
                                         reviewer, today)
        rows.append(row)
        if snapshot is not None:
            versions[org_id] = snapshot
    if not rows:
        return
    # Core inserts: every row has the same keys, so they go in batches (the ORM form drops
    # None values, and statuses alternate, so it sent about one statement per two rows).
    for start in range(0, len(rows), 2000):
        db.execute(sa.insert(Attestation.__table__), rows[start:start + 2000])
    ids = dict(db.execute(sa.select(Attestation.organisation_id, Attestation.id).where(
        Attestation.cycle_id == cycle.id, Attestation.organisation_id.in_(list(versions))
    )).all()) if versions else {}
    by_org = {row["organisation_id"]: row for row in rows}
    version_rows = [_version_row(ids[org_id], by_org[org_id], snapshot)
                    for org_id, snapshot in versions.items()]
    for start in range(0, len(version_rows), 2000):
        db.execute(sa.insert(AttestationVersion.__table__), version_rows[start:start + 2000])


def _answers(ctx, cycle: ReportingCycle) -> dict:
    rng = ctx.rng
    headcount = rng.choice([8, 24, 45, 120, 180, 400, 950, 2300])
    weeks = 365 / 7
    meeting = int(headcount * rng.uniform(0.6, 1.0))
    hours = round(headcount * weeks * rng.uniform(0.7, 1.8))
    year = cycle.year - 1
    return {
        "workforce": {"period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
                      "headcount": headcount, "fte": round(headcount * 0.9, 1)},
        "learning": {"has_policy": True, "policy_description":
                     "Every employee has a protected learning hour each Friday afternoon.",
                     "total_hours": hours, "employees_meeting_hour": meeting,
                     "recording_methods": rng.sample(["lms", "timesheets", "manager_log"], 2),
                     "formats": rng.sample(["online_courses", "workshops", "coaching",
                                            "conferences", "on_the_job"], 3),
                     "micro_credentials": rng.randint(0, headcount)},
        "dei": {"policy_url": "https://www.example.com/dei-policy",
                "has_senior_sponsor": rng.random() > 0.1,
                "training_completion_pct": rng.randint(55, 100),
                "data_collected": rng.sample(["gender", "ethnicity", "disability", "age"], 2),
                "pay_gap_url": "https://www.example.com/pay-gap" if headcount >= 250 else None,
                "recruitment_practices": rng.sample(["anonymised_cvs", "diverse_panels",
                                                     "inclusive_adverts",
                                                     "structured_interviews"], 2),
                "has_adjustments_policy": True},
        "narrative": {"highlights": "We ran a learning week and launched peer mentoring.",
                      "plans": "Extend coaching to every team and measure its effect."},
    }


def _attestation_row(ctx, cycle, org_id, name, status, admins, reviewer, today):
    answers = _answers(ctx, cycle)
    if status == "draft":
        answers = {k: answers[k] for k in ("workforce", "learning")}
    derived = compute_metrics(answers)
    submitted = _submitted_at(ctx, cycle, today) if status != "draft" else None
    now = clock.now()
    row = {
        "organisation_id": org_id, "cycle_id": cycle.id, "status": AttestationStatus(status),
        "answers": answers, "section_status": {k: "completed" for k in answers},
        "copied_sections": [], "section_versions": {k: 1 for k in answers}, "draft_inputs": {},
        "row_version": 1, "headcount": derived["headcount"],
        "avg_hours_per_week": derived["avg_hours_per_week"],
        "coverage_pct": derived["coverage_pct"], "is_late": False,
        "review_messages": CHANGE_MESSAGE if status == "changes_requested" else {},
        "decision_reason": REJECTION if status == "rejected" else None,
        "changes_due_on": today + timedelta(days=14) if status == "changes_requested" else None,
        "assigned_reviewer_id": reviewer if status == "in_review" else None,
        "submitted_by_id": admins.get(org_id) if submitted else None,
        "submitted_at": submitted, "first_submitted_at": submitted,
        "decided_at": submitted + timedelta(days=9) if status in (
            "approved", "rejected", "changes_requested") else None,
        "declaration_name": "Alex Morgan" if submitted else None,
        "declaration_role": "Managing Director" if submitted else None,
        "created_at": submitted or now, "updated_at": submitted or now,
    }
    if submitted is None:
        return row, None
    snapshot = {
        "answers": copy.deepcopy(answers), "organisation": {"id": org_id, "name": name},
        "cycle": {"year": cycle.year, "min_avg_hours_per_week": "1.0", "min_coverage_pct": 80},
        "metrics": {k: (None if v is None else str(v)) for k, v in derived.items()},
        "evidence": [], "declaration": {"name": "Alex Morgan", "role": "Managing Director"},
        "reference": f"AT-{cycle.year}-{org_id:06d}-1", "version": 1, "is_late": False,
        "submitted_at": submitted.isoformat(),
    }
    return row, snapshot


def _submitted_at(ctx, cycle, today) -> datetime:
    last = min(cycle.due_on, today - timedelta(days=1))
    span = max((last - cycle.opens_on).days, 0)
    day = cycle.opens_on + timedelta(days=ctx.rng.randint(0, span))
    return datetime.combine(day, time(ctx.rng.randint(8, 17), ctx.rng.randint(0, 59)), UTC)


def _version_row(attestation_id: int, row: dict, snapshot: dict) -> dict:
    return {
        "attestation_id": attestation_id, "number": 1, "reference": snapshot["reference"],
        "snapshot": snapshot, "sha256": canonical_sha256(snapshot),
        "submitted_at": row["submitted_at"], "submitted_by_id": row["submitted_by_id"],
        "is_late": False, "headcount": row["headcount"],
        "avg_hours_per_week": row["avg_hours_per_week"], "coverage_pct": row["coverage_pct"],
    }


