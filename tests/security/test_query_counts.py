"""Every page's SQL count, for every GET route: it must not grow with the data (no N+1).

Each route is asked once by the first role the access matrix lets in, then again after many
more companies, pledges, attestations in every status, certificates and audit events exist.
Public pages are worked out (the page cache is off here: a remembered page costs one read).
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit.service import record
from portal.db import get_session
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_pledge,
)
from tests.security.access_world import ROLES, build_world, url_for_rule
from tests.security.test_access_matrix import MATRIX, _client, _rules

STATUSES = ("draft", "submitted", "in_review", "changes_requested", "approved", "rejected")
MOST_QUERIES = 20   # any page, however rich (the richest take 15 today)
ALLOWED_GROWTH = 1  # e.g. a list's second page appearing


def _more_of_everything(db, cycles) -> None:
    for n in range(18):
        company, admin = create_company_with_admin(db, f"Grown Company {n:02d}")
        create_pledge(db, company, admin)
        for cycle in cycles:
            status = STATUSES[(n + cycle.year) % len(STATUSES)]
            attestation = create_attestation(db, company, cycle, status=status,
                                             submitted_by=admin)
            if status == "approved":
                create_certificate(db, company, cycle, attestation)
        record(db, "test_event", actor=admin, obj=company, organisation_id=company.id)
    db.commit()


def _counted_get(app, client, url: str) -> tuple[int, int]:
    engines = {app.extensions["db_engine"], app.extensions["db_side_engine"]}
    statements = []

    def before(*_args):
        statements.append(1)

    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
        response.get_data()
        response.close()
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", before)
    return response.status_code, len(statements)


def test_no_page_issues_more_queries_when_there_is_more_data(app, monkeypatch):
    from portal.attestations.models import ReportingCycle

    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    monkeypatch.setitem(app.config, "IMPACT_CACHE", False)
    with app.app_context():
        world = build_world(get_session(), app)
        logins = {role: user.get_id() if user else None for role, user in world.users.items()}
    targets = []
    for rule in _rules(app):
        row = MATRIX[rule.endpoint]
        if "GET" in rule.methods and "200" in row:
            role = ROLES[row.index("200")]
            targets.append((rule.endpoint, url_for_rule(world, rule), role))
    clients = {role: _client(app, login) for role, login in logins.items()}
    before = {endpoint: _counted_get(app, clients[role], url) for endpoint, url, role in targets}
    with app.app_context():
        db = get_session()
        _more_of_everything(db, list(db.execute(sa.select(ReportingCycle)).scalars()))
    after = {endpoint: _counted_get(app, clients[role], url) for endpoint, url, role in targets}
    problems = [f"{endpoint}: {before[endpoint][1]} queries, then {after[endpoint][1]} "
                f"with more data ({url} as {role})"
                for endpoint, url, role in targets
                if after[endpoint][1] > before[endpoint][1] + ALLOWED_GROWTH
                or after[endpoint][1] > MOST_QUERIES]
    assert len(targets) > 60
    assert all(status == 200 for status, _ in before.values())
    assert not problems, "\n".join(problems)
