"""The demo loader: every status in both cycles, frozen versions, idempotent."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.attestations.models import Attestation, AttestationVersion, ReportingCycle
from portal.attestations.service import canonical_sha256


def test_seed_demo_creates_every_status_and_is_idempotent(app, db, frozen_clock):
    from portal.demo import seed

    frozen_clock(date(2026, 9, 1))
    with app.test_request_context():
        seed(db, companies=12, cycles=2)
        first = db.execute(sa.select(sa.func.count()).select_from(Attestation)).scalar()
        seed(db, companies=12, cycles=2)
        again = db.execute(sa.select(sa.func.count()).select_from(Attestation)).scalar()
    assert first == again > 0
    years = sorted(db.execute(sa.select(ReportingCycle.year)).scalars())
    assert years == [2025, 2026]
    cycle = db.execute(sa.select(ReportingCycle).where(ReportingCycle.year == 2026)).scalar_one()
    assert (cycle.opens_on, cycle.due_on, cycle.grace_until) == (
        date(2026, 4, 1), date(2026, 7, 31), date(2026, 12, 31))
    statuses = set(db.execute(sa.select(Attestation.status)).scalars())
    assert statuses == {"draft", "submitted", "in_review", "changes_requested", "approved",
                        "rejected"}
    submitted = db.execute(sa.select(Attestation).where(Attestation.status != "draft")
                           ).scalars().all()
    versions = db.execute(sa.select(AttestationVersion)).scalars().all()
    assert len(versions) == len(submitted)
    assert all(v.sha256 == canonical_sha256(v.snapshot) for v in versions)
