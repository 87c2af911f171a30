"""Staff second step at sign-in, enrolment, recovery codes, and a staff admin's 2FA reset."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.audit.service import record
from portal.auth import bp, sessions
from portal.auth import two_factor as mfa
from portal.auth.forms import ConfirmForm, RecoveryCodeForm, TwoFactorCodeForm
from portal.auth.models import StaffRole, User
from portal.db import session as db
from portal.extensions import limiter
from portal.forms import render_form
from portal.permissions import public, staff_required

WRONG_CODE = "The code is not correct or has already been used. Wait for the next code " \
             "and try again"
WRONG_RECOVERY = "The recovery code is not correct or has already been used"
ASK_AGAIN = "Sign in again: you tried too many codes or waited too long."


def _pending_or_restart():
    """(user, None) while a second step is pending, else (None, redirect to sign in)."""
    user = sessions.pending_user()
    if user is None:
        session.pop(sessions.PENDING_KEY, None)
        flash(ASK_AGAIN, "warning")
        return None, redirect(url_for("auth.login"))
    return user, None


def _failed(user: User, form, message: str, template: str, **context):
    record(db, "two_factor_failed", obj=user, personal={"ip": request.remote_addr})
    db.commit()
    if not sessions.count_failed_attempt():
        flash(ASK_AGAIN, "warning")
        return redirect(url_for("auth.login"))
    form.code.errors.append(message)
    form.code.data = ""
    return render_form(template, form, **context)


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def two_factor():
    user, restart = _pending_or_restart()
    if restart:
        return restart
    if not mfa.is_enrolled(user):
        return redirect(url_for("auth.two_factor_enrol"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        if not mfa.verify_code(db, user, form.code.data):
            return _failed(user, form, WRONG_CODE, "auth/two_factor.html")
        next_url = sessions.pending_next()
        return sessions.start_session(user, next_url, second_factor_done=True)
    return render_form("auth/two_factor.html", form)


@bp.route("/sign-in/two-factor/recovery-code", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def two_factor_recovery():
    user, restart = _pending_or_restart()
    if restart:
        return restart
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if not mfa.use_recovery_code(db, user, form.code.data):
            return _failed(user, form, WRONG_RECOVERY, "auth/two_factor_recovery.html")
        next_url = sessions.pending_next()
        left = len(user.recovery_codes or [])
        response = sessions.start_session(user, next_url, second_factor_done=True)
        flash(f"You have {left} recovery code{'s' if left != 1 else ''} left. You can get new "
              "ones from your account page.", "warning" if left < 3 else "info")
        return response
    return render_form("auth/two_factor_recovery.html", form)


@bp.route("/sign-in/two-factor/set-up", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def two_factor_enrol():
    user, restart = _pending_or_restart()
    if restart:
        return restart
    if mfa.is_enrolled(user):
        return redirect(url_for("auth.two_factor"))
    pending = session[sessions.PENDING_KEY]
    # Kept in the pending session so reloading the page shows the same QR code.
    secret = pending.get("secret") or mfa.new_secret()
    session[sessions.PENDING_KEY] = {**pending, "secret": secret}
    form = TwoFactorCodeForm()
    context = {"secret": mfa.format_secret(secret),
               "qr_svg": mfa.qr_svg(mfa.provisioning_uri(secret, user.email))}
    if form.validate_on_submit():
        codes = mfa.enrol(db, user, secret, form.code.data)
        if codes is None:
            return _failed(user, form, "The code is not correct. Check the time on your phone "
                           "is set automatically and enter the newest code",
                           "auth/two_factor_enrol.html", **context)
        next_url = sessions.safe_next(sessions.pending_next(), sessions.home_for(user))
        sessions.sign_in(user)
        return render_template("auth/two_factor_codes.html", codes=codes, next_url=next_url)
    return render_form("auth/two_factor_enrol.html", form, **context)


@bp.route("/account/two-factor")
@staff_required()
def two_factor_settings():
    return render_template("auth/two_factor_settings.html", form=ConfirmForm(),
                           remaining=len(current_user.recovery_codes or []))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@staff_required()
def replace_recovery_codes():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    codes = mfa.replace_recovery_codes(db, current_user)
    db.commit()
    return render_template("auth/two_factor_codes.html", codes=codes,
                           next_url=url_for("auth.two_factor_settings"), replaced=True)


@bp.route("/staff/accounts/<int:user_id>/reset-two-factor", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def reset_two_factor(user_id: int):
    user = db.get(User, user_id)
    if user is None or not user.is_staff:
        abort(404)
    back = url_for("staff.accounts") if "staff.accounts" in _endpoints() \
        else url_for("staff.dashboard")
    if user.id == current_user.id:
        flash("You cannot reset your own two-factor authentication. Ask another staff admin.",
              "error")
        return redirect(back)
    form = ConfirmForm()
    if form.validate_on_submit():
        mfa.reset_two_factor(db, current_user, user)
        db.commit()
        flash(f"Two-factor authentication was reset for {user.name}. They will set it up "
              "again when they next sign in.", "success")
        return redirect(back)
    return render_form("auth/two_factor_reset.html", form, person=user, back=back)


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)
