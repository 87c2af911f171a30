from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class ReminderOptOut(Base):
    """A person asked not to get one kind of reminder (preferences page or unsubscribe link).

    Opt-outs rather than opt-ins: a new reminder kind reaches everyone until they say no.
    """

    __tablename__ = "reminder_opt_outs"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # "preferences" or "unsubscribe_link": staff can tell a choice from a one-click.
    source: Mapped[str] = mapped_column(sa.String(20), default="preferences")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DailyRun(Base):
    """One row per day `daily` ran: what the staff digest saw, so the next one says what is new.

    Re-running on the same day compares with the previous day's row again, so the digest it
    would build is the same one (and the outbox dedupe key stops a second copy).
    """

    __tablename__ = "daily_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_on: Mapped[date] = mapped_column(unique=True)
    # {"overdue": [organisation ids], "non_reporting": [organisation ids]} for the open cycle.
    seen: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # {"reminders": n, "digest": n, ...}: mails queued by the last run of that day.
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
