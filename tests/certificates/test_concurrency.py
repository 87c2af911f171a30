"""Two approvals at the same moment on PostgreSQL get different numbers and status bits."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from portal.attestations.models import Attestation
from portal.certificates.models import Certificate
from portal.certificates.service import issue_certificate
from portal.db import get_session
from tests.factories import create_attestation, create_company, create_cycle


@pytest.mark.postgres_only
def test_concurrent_issues_never_share_a_number(app, db):
    cycle = create_cycle(db, 2026)
    ids = [create_attestation(db, create_company(db), cycle, status="approved").id
           for _ in range(4)]
    barrier, errors = threading.Barrier(len(ids)), []

    def issue(attestation_id):
        with app.app_context():
            session = get_session()
            try:
                attestation = session.get(Attestation, attestation_id)
                barrier.wait(timeout=30)
                issue_certificate(session, attestation, None)
                session.commit()
            except Exception as error:  # reported below, with the thread's own traceback lost
                errors.append(error)
                session.rollback()

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    rows = db.execute(sa.select(Certificate.sequence, Certificate.status_list_index)).all()
    assert sorted(r.sequence for r in rows) == [1, 2, 3, 4]
    assert len({r.status_list_index for r in rows}) == 4
