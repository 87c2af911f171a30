"""seed-demo's pledges: version 2 current, most signed it, some must re-sign, one withdrew."""

import hashlib
import random

import sqlalchemy as sa

from portal import demo
from portal.auth.models import OrgRole, User
from portal.organisations.models import Organisation
from portal.pledges import demo as pledges_demo
from portal.pledges import service
from portal.pledges.models import CodeVersion, Pledge


def seed(db, monkeypatch, companies=40):
    monkeypatch.setattr(demo, "DEMO_DOMAINS", ("pledges",))
    return demo.seed(db, companies=companies)


def test_demo_pledges_are_realistic_and_idempotent(db, monkeypatch):
    lines = seed(db, monkeypatch)
    current = service.current_code_version(db)
    assert current.number == 2 and "pay-gap" in current.commitments[4]["body"]
    pledges = list(db.execute(sa.select(Pledge)).scalars())
    active = [p for p in pledges if p.is_active]
    on_v2 = [p for p in active if p.code_version.number == 2]
    resign = [p for p in active if service.resign_required(db, p)]
    withdrawn = [p for p in pledges if p.withdrawn_at is not None]
    superseded = [p for p in pledges if p.superseded_by_id is not None]
    assert len(on_v2) > len(active) / 2 and resign and len(withdrawn) == 1
    assert {p.code_version.number for p in superseded} == {1}
    for pledge in pledges:
        assert pledge.text_sha256 == hashlib.sha256(pledge.signed_text.encode()).hexdigest()
        assert pledge.organisation.name in pledge.signed_text
        assert pledge.reference.startswith("PL-")
    assert any("must re-sign" in line for line in lines)
    assert any("withdrew its pledge: Harbour & Finch" in line for line in lines)

    ctx = demo.DemoContext(
        companies=list(db.execute(sa.select(Organisation).order_by(Organisation.id)).scalars()),
        admins={u.organisation_id: u for u in db.execute(sa.select(User).where(
            User.org_role == OrgRole.ADMIN)).scalars()},
        staff={}, cycles=2, rng=random.Random(2026))
    pledges_demo.seed(db, ctx)  # a second run adds nothing
    db.commit()
    assert db.execute(sa.select(sa.func.count()).select_from(Pledge)).scalar_one() == len(
        pledges)
    assert db.execute(sa.select(sa.func.count()).select_from(CodeVersion)).scalar_one() == 2
