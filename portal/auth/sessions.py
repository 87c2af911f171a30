"""Signing in and staying signed in: fresh sessions, the staff second step, idle timeouts.

Session timing uses the real wall clock (time.time()), not portal.clock: tests and demos
freeze the business clock, and that must never sign anyone out or keep a session alive.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.datastructures import MultiDict

from portal import clock
from portal.audit.service import record
from portal.auth.models import User
from portal.db import session as db

PENDING_KEY = "pending_two_factor"
PENDING_SECONDS = 10 * 60
MAX_CODE_ATTEMPTS = 5
STAFF_MAX_SESSION_SECONDS = 12 * 3600
# The session is a signed cookie (about 4 KB once compressed): larger forms are not kept.
SAVED_FORM_MAX_CHARS = 12_000
# Per request (not flask.g, which can outlive a request when an app context is pushed).
REPLAY_KEY = "portal.replay_form"
NOT_SAVED = ("csrf_token", "password", "current_password", "code")


def safe_next(target: str | None, default: str) -> str:
    """Only a local path: no scheme, no host, no protocol-relative '//evil'."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


def home_for(user) -> str:
    if user.is_staff:
        return url_for("staff.dashboard")
    return url_for("organisations.overview")


def _fresh_session() -> None:
    """A new session (no fixation), keeping only answers saved when a session timed out."""
    carried = session.get("saved_form")
    session.clear()
    if carried:
        session["saved_form"] = carried


def start_session(user: User, next_url: str | None, *, second_factor_done: bool = False):
    """After a correct password: staff go on to their second step, everyone else is in."""
    if user.is_staff and not second_factor_done:
        return begin_second_step(user, next_url)
    sign_in(user)
    return redirect(safe_next(next_url, home_for(user)))


def sign_in(user: User) -> None:
    _fresh_session()
    login_user(user)
    session["signed_in_at"] = session["last_seen"] = time.time()
    user.last_login_at = clock.now()
    record(db, "login", actor=user, obj=user, organisation_id=user.organisation_id)
    db.commit()


def begin_second_step(user: User, next_url: str | None):
    _fresh_session()
    session[PENDING_KEY] = {"u": user.id, "v": user.session_version, "next": next_url or "",
                            "at": time.time(), "tries": 0}
    return redirect(url_for("auth.two_factor"))


def pending_user() -> User | None:
    """The staff member who gave a correct password in the last ten minutes, if any."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.get(User, pending.get("u"))
    if user is None or not user.is_active or not user.is_staff \
            or user.session_version != pending.get("v"):
        return None
    return user


def pending_next() -> str | None:
    return (session.get(PENDING_KEY) or {}).get("next") or None


def count_failed_attempt() -> bool:
    """True while more attempts are allowed; after five the password must be given again."""
    pending = dict(session.get(PENDING_KEY) or {})
    pending["tries"] = pending.get("tries", 0) + 1
    if pending["tries"] >= MAX_CODE_ATTEMPTS:
        session.pop(PENDING_KEY, None)
        return False
    session[PENDING_KEY] = pending
    return True


def end_session() -> None:
    logout_user()
    session.clear()


# Idle timeouts (staff and members) and answers kept across them ---------------------------

def check_session():
    """before_request: end idle sessions, keeping a half-sent form's answers.

    Staff and members take the same path; only the limits differ (STAFF_IDLE_MINUTES and a
    12-hour ceiling for staff, the longer MEMBER_IDLE_MINUTES and no ceiling for members)."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return None
    config = current_app.config
    if current_user.is_staff:
        response = _end_if_idle(config["STAFF_IDLE_MINUTES"], STAFF_MAX_SESSION_SECONDS)
    else:
        response = _end_if_idle(config["MEMBER_IDLE_MINUTES"], None)
    if response is not None:
        return response
    _replay_saved_form()
    return None


def _end_if_idle(idle_minutes: int, max_session_seconds: int | None):
    """The sign-in page (answers kept) when idle too long or past the ceiling, else None."""
    now = time.time()
    last_seen = session.setdefault("last_seen", now)
    signed_in_at = session.setdefault("signed_in_at", now)
    if now - last_seen > idle_minutes * 60:
        return _time_out(f"You were signed out because you had not done anything for "
                         f"{_duration(idle_minutes)}.", reason="idle")
    if max_session_seconds is not None and now - signed_in_at > max_session_seconds:
        return _time_out(f"For security, staff are signed out "
                         f"{_duration(max_session_seconds // 60)} after signing in.",
                         reason="session_limit", carry_on="Sign in again to carry on.")
    if now - last_seen > 30:  # no need to rewrite the cookie on every click
        session["last_seen"] = now
    return None


def _duration(minutes: int) -> str:
    """'30 minutes', '2 hours', '1 hour': how long the user had been idle, in words."""
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _time_out(message: str, *, reason: str, carry_on: str | None = None):
    """End the session with `message` (why), keeping a half-sent form's answers.

    `reason` ("idle" or "session_limit") goes into the audit event; `carry_on` ends the
    message when no answers were kept."""
    user = current_user._get_current_object()
    target = _form_page() if request.method == "POST" else request.full_path.rstrip("?")
    saved = _saved_form(user, target) if request.method == "POST" else None
    record(db, "session_timed_out", actor=user, obj=user, organisation_id=user.organisation_id,
           detail={"reason": reason})
    db.commit()
    end_session()
    if saved:
        session["saved_form"] = saved
        message += " Sign in again: your answers have been kept."
    elif carry_on:
        message += " " + carry_on
    flash(message, "warning")
    return redirect(url_for("auth.login", next=target))


def _form_page() -> str:
    """The page the form was on: the referrer when it is ours, else the address posted to."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path
    return request.path


def _saved_form(user: User, url: str) -> dict | None:
    fields = [[key, value] for key, value in request.form.items(multi=True)
              if key not in NOT_SAVED and "password" not in key]
    if not fields or len(json.dumps(fields)) > SAVED_FORM_MAX_CHARS:
        return None
    return {"u": user.id, "url": url.split("?")[0], "fields": fields}


def _replay_saved_form() -> None:
    """On the form's page, after signing in again, hand the kept answers to its form."""
    saved = session.get("saved_form")
    if not saved or request.method != "GET" or saved.get("url") != request.path:
        return
    session.pop("saved_form")
    if saved.get("u") != current_user.id:
        return  # someone else signed in on this browser: never show them the answers
    request.environ[REPLAY_KEY] = MultiDict([tuple(pair) for pair in saved.get("fields", [])])
    flash("We kept the answers you entered before you were signed out. Check them and send "
          "the form again.", "info")


def replayed_formdata():
    """Used by BaseForm: the answers to put back into a form on this GET request, if any."""
    return request.environ.get(REPLAY_KEY) if request else None
