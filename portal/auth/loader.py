"""Flask-Login's user loader: the id carries the session version, so bumping it logs out."""

from flask import g

from portal.auth.models import User
from portal.db import session as db
from portal.extensions import login_manager


@login_manager.user_loader
def load_user(login_id: str):
    user_id, _, version = (login_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user



def forget_request_globals() -> None:
    """Flask-Login (the user) and Flask-WTF (the CSRF token) cache per-request values on g,
    which outlives a request when an app context is shared (tests, CLI): start each request
    afresh."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
