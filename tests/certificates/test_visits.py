"""Verification visits: added up per worker, written in batches, never lost on a failure."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.certificates.models import Certificate
from portal.certificates.visits import VisitCounter
from tests.factories import create_certificate, create_company, create_cycle


class FakeMonotonic:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _count(db, certificate) -> int:
    db.expire_all()
    return db.execute(sa.select(Certificate.verification_count)
                      .where(Certificate.id == certificate.id)).scalar_one()


def test_visits_are_written_in_one_batch_when_due(app, db):
    cycle = create_cycle(db, 2026)
    first = create_certificate(db, create_company(db), cycle)
    second = create_certificate(db, create_company(db), cycle)
    monotonic = FakeMonotonic()
    counter = VisitCounter(app.extensions["db_engine"], 10, monotonic)
    for _ in range(3):
        counter.add(first.verification_id)
    counter.add(second.verification_id)
    assert counter.pending == 4 and _count(db, first) == 0
    monotonic.now += 10
    counter.add(first.verification_id)  # due: this visit writes the batch
    assert counter.pending == 0
    assert (_count(db, first), _count(db, second)) == (4, 1)
    counter.add(second.verification_id)
    counter.flush()  # what the worker does when it stops
    assert _count(db, second) == 2


def test_a_failed_write_keeps_the_visits_for_the_next_batch(app, db):
    cycle = create_cycle(db, 2026)
    certificate = create_certificate(db, create_company(db), cycle)
    broken = sa.create_engine("sqlite:////nonexistent-dir/portal.db")
    counter = VisitCounter(broken, 0)
    with pytest.raises(sa.exc.DBAPIError):
        counter.add(certificate.verification_id)
    assert counter.pending == 1
    counter.engine = app.extensions["db_engine"]
    counter.flush()
    assert _count(db, certificate) == 1
