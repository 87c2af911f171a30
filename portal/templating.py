"""Jinja filters and the values every page needs."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_login import current_user

from portal import clock
from portal.reference import HEADCOUNT_BAND_NAMES, REGION_NAMES, SECTOR_NAMES


def format_date(value: date | datetime | None) -> str:
    """'31 July 2026', GOV.UK style; datetimes shown in the association's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value)
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = clock.local(value)
    hour = local.strftime("%I").lstrip("0") or "12"
    return f"{format_date(local)} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm")


def format_number(value, places: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:,.{places}f}"


def navigation() -> list[tuple[str, str]]:
    """(endpoint, label) for the header, by who is signed in."""
    items = [("directory.members", "Member directory"),
             ("certificates.verify", "Verify a certificate")]
    # No request (CLI, PDF rendering, mail from a worker): current_user is None.
    if not getattr(current_user, "is_authenticated", False):
        return [*items, ("auth.login", "Sign in"), ("auth.register", "Register your company")]
    if current_user.is_staff:
        return [("staff.dashboard", "Staff area"), *items, ("auth.account", "Your account")]
    return [("organisations.overview", "Your company"), *items, ("auth.account", "Your account")]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, number=format_number,
        sector_name=lambda code: SECTOR_NAMES.get(code, code),
        region_name=lambda code: REGION_NAMES.get(code, code),
        headcount_name=lambda code: HEADCOUNT_BAND_NAMES.get(code, code),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def common():
        endpoints = set(app.view_functions)
        return {
            "association_name": app.config["ASSOCIATION_NAME"],
            "nav_items": [item for item in navigation() if item[0] in endpoints],
            "today": clock.today(),
            # Lets shared navigation link only to pages that exist in this build.
            "registered_endpoints": endpoints,
        }
