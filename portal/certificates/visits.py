"""Visits to verification pages, added up in memory and written in batches.

A shared verification page costs one primary-key read (portal.pagecache); one write per visit
would cost more than the rest of the page, and on SQLite would queue every worker behind the
database's single write lock. So each worker adds up its visits and writes them at most every
VISIT_COUNT_FLUSH_SECONDS, and when it stops. A crash loses at most those seconds of counts:
a statistic shown to the company and staff, never anything a person entered.
"""

from __future__ import annotations

import atexit
import time
from collections import Counter
from contextlib import suppress
from threading import Lock

import sqlalchemy as sa
from flask import Flask, current_app

from portal.certificates.models import Certificate

_ADD = (sa.update(Certificate)
        .where(Certificate.verification_id == sa.bindparam("visited"))
        .values(verification_count=Certificate.verification_count + sa.bindparam("visits"))
        .execution_options(synchronize_session=False))


class VisitCounter:
    def __init__(self, engine: sa.Engine, flush_seconds: float, monotonic=time.monotonic):
        self.engine = engine
        self.flush_seconds = flush_seconds
        self._monotonic = monotonic
        self._pending: Counter[str] = Counter()
        self._lock = Lock()
        self._flushed_at = monotonic()

    def add(self, verification_id: str) -> None:
        with self._lock:
            self._pending[verification_id] += 1
            due = self._monotonic() - self._flushed_at >= self.flush_seconds
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._flushed_at = self._monotonic()
        if not pending:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(_ADD, [{"visited": key, "visits": n}
                                          for key, n in sorted(pending.items())])
        except sa.exc.DBAPIError:
            with self._lock:  # try again with the next batch rather than lose them
                self._pending.update(pending)
            raise

    @property
    def pending(self) -> int:
        return sum(self._pending.values())


def _counter(app: Flask) -> VisitCounter:
    counter = app.extensions.get("verification_visits")
    if counter is None:
        counter = app.extensions.setdefault("verification_visits", VisitCounter(
            app.extensions["db_engine"], app.config["VISIT_COUNT_FLUSH_SECONDS"]))
        atexit.register(_flush_quietly, counter)  # gunicorn stops workers with a clean exit
    return counter


def _flush_quietly(counter: VisitCounter) -> None:
    # The process is ending; if the database is gone too there is nothing else to do.
    with suppress(sa.exc.DBAPIError):
        counter.flush()


def count(verification_id: str) -> None:
    _counter(current_app._get_current_object()).add(verification_id)
