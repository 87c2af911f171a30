"""The certificates demo: issued for approved attestations, one expired, one revoked by two
admins, one revocation pending; idempotent; shared PDFs beyond the first few."""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from portal.auth.models import StaffRole
from portal.certificates import demo
from portal.certificates.models import Certificate
from portal.certificates.service import certificate_state
from portal.demo import DemoContext
from tests.factories import create_attestation, create_company, create_cycle, create_staff


def test_demo_seed(app, db, frozen_clock, monkeypatch):
    monkeypatch.setattr(demo, "REAL_PDFS", 3)
    frozen_clock(date(2026, 11, 25))
    old, current = create_cycle(db, 2025), create_cycle(db, 2026)
    companies = [create_company(db) for _ in range(5)]
    for company in companies:
        for cycle in (old, current):
            create_attestation(db, company, cycle, status="approved")
    admins = [create_staff(db, StaffRole.ADMIN), create_staff(db, StaffRole.ADMIN)]
    ctx = DemoContext(companies, {}, {u.email: u for u in admins}, 2, random.Random(1))

    demo.seed(db, ctx)
    db.commit()
    rows = db.execute(sa.select(Certificate)).scalars().all()
    assert len(rows) == 10
    states = [certificate_state(row, date(2026, 11, 25)) for row in rows]
    assert states.count("expired") == 1 and states.count("revoked") == 1
    pending = [r for r in rows if r.revocation_requested_at and not r.revoked_at]
    assert len(pending) == 1
    revoked = next(r for r in rows if r.revoked_at)
    assert {revoked.revoked_by_id, revoked.revocation_confirmed_by_id} == {u.id for u in admins}
    assert sum(not row.is_demo for row in rows) == 3  # the rest share one PDF per cycle
    shared = {row.pdf_sha256 for row in rows if row.is_demo}
    assert len(shared) <= 2
    assert len({row.credential_jws for row in rows}) == 10  # each its own signed credential
    assert any(line.startswith("  expired: PP-2025-") for line in ctx.lines)

    demo.seed(db, DemoContext(companies, {}, ctx.staff, 2, random.Random(1)))
    db.commit()
    assert db.execute(sa.select(sa.func.count(Certificate.id))).scalar() == 10
