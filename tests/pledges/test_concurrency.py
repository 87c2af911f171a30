"""Two admins press "Sign" at the same moment: PostgreSQL keeps exactly one active pledge."""

import threading

import pytest
import sqlalchemy as sa

from portal.auth.models import OrgRole
from portal.pledges import service
from portal.pledges.models import Pledge
from tests.conftest import PortalClient
from tests.factories import create_company_with_admin, create_member

ANSWERS = {"signatory_name": "Priya Shah", "signatory_title": "Director", "is_authorised": "y",
           "signature": "Priya Shah"}


@pytest.mark.postgres_only
def test_simultaneous_signatures_keep_one_pledge(app, db, login_as, monkeypatch):
    organisation, admin = create_company_with_admin(db)
    colleague = create_member(db, organisation, role=OrgRole.ADMIN)
    clients = [login_as(PortalClient(app.test_client()), user) for user in (admin, colleague)]
    tokens = [c.csrf_token("/company/pledge/sign") for c in clients]
    # Both requests read "no active pledge" before either writes: the race a double click makes.
    barrier = threading.Barrier(2, timeout=10)
    original = service.active_pledge

    def in_step(db, organisation_id):
        found = original(db, organisation_id)
        barrier.wait()
        return found

    monkeypatch.setattr(service, "active_pledge", in_step)
    responses = [None, None]

    def post(index):
        responses[index] = clients[index].post(
            "/company/pledge/sign", data={**ANSWERS, "csrf_token": tokens[index]})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.status_code for r in responses) == [302, 302]
    locations = sorted(r.headers["Location"] for r in responses)
    assert locations[0].endswith("/company/pledge")  # the loser is told it is already signed
    assert "/signed" in locations[1]
    db.expire_all()
    count = db.execute(sa.select(sa.func.count()).select_from(Pledge).where(
        Pledge.organisation_id == organisation.id)).scalar_one()
    assert count == 1
