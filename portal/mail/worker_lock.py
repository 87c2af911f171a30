"""One send-mail worker at a time on SQLite.

PostgreSQL workers claim rows with `FOR UPDATE SKIP LOCKED`, so any number may run. SQLite has
no row locks: two workers could claim the same row and send it twice. There, a worker holds an
exclusive advisory lock (flock) on `<database file>.send-mail.lock` for its whole run. The
kernel releases it when the process ends, however it ends, so a crashed worker never leaves a
stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import sqlalchemy as sa

ALREADY_RUNNING = "Another send-mail worker is already running for this database"


class WorkerLock:
    """Held by the send-mail worker for the database at `path` (None: nothing to lock)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._file = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another worker holds it."""
        if self.path is None or self._file is not None:
            return True
        file = open(self.path, "a")  # noqa: SIM115 - held open for the whole run
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        except BaseException:
            file.close()
            raise
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_path(engine: sa.Engine) -> Path | None:
    """`<database file>.send-mail.lock` for a SQLite file; None for PostgreSQL (row locks
    suffice) and for in-memory SQLite (no other process can see it)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if database.startswith("file:"):  # a URI filename: file:/path/portal.db?mode=rw
        if "mode=memory" in database:
            return None
        database = database.removeprefix("file:").split("?", 1)[0]
    if not database or database == ":memory:":
        return None
    return Path(os.path.abspath(database) + ".send-mail.lock")


def worker_lock(engine: sa.Engine) -> WorkerLock:
    return WorkerLock(lock_path(engine))
