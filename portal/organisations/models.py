from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Kept beside the name so directory search needs no unaccent() on either database.
    search_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    company_number: Mapped[str | None] = mapped_column(sa.String(8), unique=True)
    sector: Mapped[str] = mapped_column(sa.String(1))
    region: Mapped[str] = mapped_column(sa.String(3))
    headcount_band: Mapped[str] = mapped_column(sa.String(10))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    is_listed: Mapped[bool] = mapped_column(default=True)
    publishes_metrics: Mapped[bool] = mapped_column(default=False)
    delisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delisted_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
