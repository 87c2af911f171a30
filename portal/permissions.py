"""Route guards. Every route is either marked public or wrapped by one of these.

test_meta walks url_map and fails on a view that has neither mark.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.models import OrgRole, StaffRole


def _mark(view, guard: str):
    view.access_guard = guard
    return view


def public(view):
    """Anyone, signed in or not."""
    return _mark(view, "public")


def login_required(view):
    """Any signed-in user (member or staff)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return _mark(wrapper, "login")


def member_required(role: OrgRole | None = None, *, verified: bool = False):
    """A member of a company; with role=ADMIN only its admins; verified: email confirmed."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.organisation_id is None:
                abort(403)
            if role is not None and current_user.org_role != role:
                abort(403)
            if verified and not current_user.is_verified:
                flash("Confirm your email address first: we sent you a link.", "warning")
                return redirect(url_for("auth.unverified"))
            return view(*args, **kwargs)

        return _mark(wrapper, f"member:{role or 'any'}")

    return decorator


def staff_required(role: StaffRole = StaffRole.REVIEWER):
    """Association staff; role=ADMIN for staff admins only (admins can do all reviewers can)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_user.is_staff:
                abort(403)
            if role == StaffRole.ADMIN and current_user.staff_role != StaffRole.ADMIN:
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, f"staff:{role}")

    return decorator


def own_organisation_or_404(obj, organisation_id_attr: str = "organisation_id"):
    """Objects of another company answer 404, never 403: their existence is not revealed."""
    if obj is None:
        abort(404)
    if current_user.is_staff:
        return obj
    if getattr(obj, organisation_id_attr) != current_user.organisation_id:
        abort(404)
    return obj
