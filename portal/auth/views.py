from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.audit.service import record
from portal.auth import bp, service
from portal.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmForm,
    EmailOnlyForm,
    LoginForm,
    NewPasswordForm,
    RegistrationForm,
)
from portal.auth.sessions import home_for, safe_next, start_session  # noqa: F401
from portal.db import session as db
from portal.extensions import limiter
from portal.forms import render_form
from portal.organisations.service import company_number_taken
from portal.permissions import login_required, public

LOGIN_FAILED = "Enter a correct email address and password"


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    form = RegistrationForm()
    if form.validate_on_submit():
        if company_number_taken(db, form.company_number.data):
            form.company_number.errors.append(
                "A company with this number is already registered. Ask that company's "
                "admin to invite you instead."
            )
            return render_form("auth/register.html", form)
        company = {
            "name": form.company_name.data, "company_number": form.company_number.data,
            "sector": form.sector.data, "region": form.region.data,
            "headcount_band": form.headcount_band.data, "website": form.website.data,
        }
        person = {"email": form.email.data, "name": form.name.data,
                  "password": form.password.data}
        service.register_company(db, company, person, request.remote_addr)
        db.commit()
        session["registered_email"] = service.normalise_email(form.email.data)
        return redirect(url_for("auth.check_email"))
    return render_form("auth/register.html", form)


@bp.route("/register/check-your-email")
@public
def check_email():
    return render_template("auth/check_email.html", email=session.get("registered_email"))


@bp.route("/verify-email/<token>")
@public
def verify_email(token):
    user = service.verify_email(db, token)
    db.commit()
    if user is None:
        return render_template("auth/link_expired.html", what="confirmation"), 400
    flash("Your email address is confirmed.", "success")
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/confirm-your-email", methods=["GET", "POST"])
@login_required
def unverified():
    form = ConfirmForm()
    if current_user.is_verified:
        return redirect(home_for(current_user))
    if form.validate_on_submit():
        service.send_verification(db, current_user)
        db.commit()
        flash(f"We sent a new link to {current_user.email}.", "success")
        return redirect(url_for("auth.unverified"))
    return render_form("auth/unverified.html", form)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(db, form.email.data, form.password.data)
        if user is None:
            record(db, "login_failed", personal={"email": form.email.data[:254],
                                                 "ip": request.remote_addr})
            db.commit()
            form.password.errors.append(LOGIN_FAILED)
            form.password.data = ""
            return render_form("auth/login.html", form)
        return start_session(user, request.args.get("next"))
    return render_form("auth/login.html", form)


@bp.route("/sign-out", methods=["POST"])
@public
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        record(db, "logout", actor=current_user, obj=current_user,
               organisation_id=current_user.organisation_id)
        db.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    service.log_out_everywhere(db, current_user)
    db.commit()
    logout_user()
    session.clear()
    flash("You have been signed out on every device.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        service.request_password_reset(db, form.email.data)
        db.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_form("auth/forgot_password.html", form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token):
    user = service.user_for_reset_token(db, token)
    if user is None:
        return render_template("auth/link_expired.html", what="password reset"), 400
    form = NewPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        service.set_password(db, user, form.password.data, "password_reset")
        db.commit()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_form("auth/reset_password.html", form)


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", form=ConfirmForm())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        if service.authenticate(db, current_user.email, form.current_password.data) is None:
            form.current_password.errors.append("Your current password is not correct")
            return render_form("auth/change_password.html", form)
        service.set_password(db, current_user, form.password.data, "password_changed")
        db.commit()
        login_user(current_user)  # this device stays signed in with the new session version
        flash("Your password has been changed. You have been signed out on other devices.",
              "success")
        return redirect(url_for("auth.account"))
    return render_form("auth/change_password.html", form)


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        if form.email.data.lower() != current_user.email:
            service.request_email_change(db, current_user, form.email.data)
            db.commit()
        flash(f"We sent a confirmation link to {form.email.data}. Your email address changes "
              "when you open it.", "success")
        return redirect(url_for("auth.account"))
    return render_form("auth/change_email.html", form)


@bp.route("/account/confirm-email/<token>")
@public
def confirm_email_change(token):
    user, problem = service.confirm_email_change(db, token)
    if user is None:
        db.rollback()
        return render_template("auth/link_expired.html", what="email change", problem=problem), 400
    db.commit()
    flash(f"Your email address is now {user.email}.", "success")
    return redirect(url_for("auth.account") if current_user.is_authenticated
                    else url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    invitation = service.open_invitation(db, token)
    if invitation is None:
        return render_template("auth/link_expired.html", what="invitation"), 400
    if service.find_user_by_email(db, invitation.email):
        return render_template("auth/invitation_existing.html", invitation=invitation), 409
    form = AcceptInvitationForm()
    form.account_email = invitation.email
    if form.validate_on_submit():
        user = service.accept_invitation(db, invitation, form.name.data, form.password.data)
        db.commit()
        flash("Your account is ready.", "success")
        return start_session(user, None)
    return render_form("auth/accept_invitation.html", form, invitation=invitation)


# The staff second step and 2FA management live beside these views.
from portal.auth import two_factor_views  # noqa: E402,F401
