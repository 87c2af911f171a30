"""The review demo seeds flags, decisions and a sampling audit, and is idempotent."""

from __future__ import annotations

import random

import sqlalchemy as sa

from portal.attestations.models import AttestationStatus
from portal.auth.models import StaffRole
from portal.demo import DemoContext
from portal.review import demo
from portal.review.models import Decision, Review, RiskFlag, SampledAttestation, SamplingAudit
from tests.factories import create_attestation, create_company_with_admin, create_staff


def test_review_demo_is_idempotent(db, world):
    approved = [create_attestation(db, create_company_with_admin(db)[0], world["cycle"],
                                   status="approved") for _ in range(3)]
    waiting = [create_attestation(db, create_company_with_admin(db)[0], world["cycle"],
                                  status="submitted") for _ in range(3)]
    earlier_rejection = create_attestation(db, create_company_with_admin(db)[0], world["cycle"],
                                           status="rejected")
    earlier_rejection.decision_reason = "No records."
    db.commit()
    staff = {u.email: u for u in (create_staff(db, StaffRole.REVIEWER),
                                  create_staff(db, StaffRole.ADMIN))}
    ctx = DemoContext([], {}, staff, 1, random.Random(1))
    for _ in range(2):
        demo.seed(db, ctx)
        db.commit()
    decisions = sorted(d.value for d in db.execute(sa.select(Review.decision)).scalars())
    assert decisions == ["approved"] * 3 + ["changes_requested", "rejected", "rejected"]
    assert db.execute(sa.select(Review.reason).where(
        Review.attestation_id == earlier_rejection.id)).scalar_one() == "No records."
    assert db.execute(sa.select(sa.func.count()).select_from(SamplingAudit)).scalar() == 1
    assert db.execute(sa.select(SampledAttestation.attestation_id)).scalar() in {
        a.id for a in approved}
    assert db.execute(sa.select(sa.func.count()).select_from(RiskFlag)).scalar() == 0
    statuses = {a.status for a in [world["attestation"], *waiting]}
    assert {AttestationStatus.CHANGES_REQUESTED, AttestationStatus.REJECTED,
            AttestationStatus.IN_REVIEW} <= statuses
    assert Decision.APPROVED.value in decisions


def test_printed_demo_summary_tells_the_final_statuses(app, db, frozen_clock):
    """The review demo decides after the attestation demo printed its lines: what is printed
    at the end must still match the database (it once said 'submitted' for a rejection)."""
    import re
    from collections import Counter
    from datetime import date

    from portal.attestations.models import Attestation, ReportingCycle
    from portal.auth.models import Organisation
    from portal.demo import seed

    frozen_clock(date(2026, 9, 1))
    with app.test_request_context():
        lines = seed(db, companies=12, cycles=2)
    rows = db.execute(sa.select(Organisation.name, ReportingCycle.year, Attestation.status)
                      .join(Attestation, Attestation.organisation_id == Organisation.id)
                      .join(ReportingCycle, ReportingCycle.id == Attestation.cycle_id)).all()
    actual = {(name, year): status.value.replace("_", " ") for name, year, status in rows}
    printed = [re.fullmatch(r"  (\d{4}) attestation (.+?)\s{2,}(.+)", line) for line in lines]
    printed = [match.groups() for match in printed if match]
    assert printed
    for year, status, name in printed:
        assert actual[(name, int(year))] == status, name
    totals = next(line for line in lines if line.startswith("Attestations: "))
    counts = Counter(actual.values())
    assert totals == "Attestations: " + ", ".join(
        f"{counts[status]:,} {status}" for status in sorted(counts))
    changed = [re.fullmatch(r"  (.+) \((\d{4})\): .+; status now (.+)", line) for line in lines]
    changed = [match.groups() for match in changed if match]
    assert any(status == "rejected" for _, _, status in changed)
    for name, year, status in changed:
        assert actual[(name, int(year))] == status, name
