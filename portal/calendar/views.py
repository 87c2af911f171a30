"""Staff: the calendar and the mail page. Members: reminder choices. Anyone with a link:
one-click unsubscribe."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.auth.forms import ConfirmForm
from portal.auth.models import OrgRole, StaffRole, User
from portal.calendar import bp, daily, member_bp, outbox, plan, preferences  # noqa: F401
from portal.calendar import unsubscribe as one_click
from portal.calendar.forms import OUTBOX_VIEWS, PreferencesForm
from portal.db import session as db
from portal.extensions import csrf
from portal.forms import render_form
from portal.mail.models import OutboxMail
from portal.pagination import page_number, paginate
from portal.permissions import member_required, public, staff_required
from portal.pledges.service import active_pledge

# `daily` is imported for its side effect: it adds the `portal daily` command.


@bp.route("")
@staff_required()
def index():
    calendar = plan.calendar_plan(db, clock.today())
    page = None
    if calendar.cycle is not None:
        page = paginate(db, plan.sent_reminders_query(calendar.cycle.year),
                        page_number(request.args.get("page")))
    return render_template("calendar/index.html", plan=calendar, page=page,
                           labels=plan.LABELS)


@bp.route("/mail", endpoint="outbox")
@staff_required(StaffRole.ADMIN)
def outbox_page():
    show = request.args.get("show", "failed")
    if show not in OUTBOX_VIEWS:
        show = "failed"
    page = paginate(db, outbox.outbox_query(show), page_number(request.args.get("page")))
    return render_template("calendar/outbox.html", page=page, show=show, views=OUTBOX_VIEWS,
                           counts=outbox.outbox_counts(db), form=ConfirmForm())


@bp.route("/mail/<int:mail_id>/retry", methods=["POST"])
@staff_required(StaffRole.ADMIN)
def retry(mail_id):
    mail = db.get(OutboxMail, mail_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        flash("This page expired before you sent it. Try again.", "warning")
    elif outbox.retry_mail(db, mail, current_user):
        db.commit()
        flash(f"The mail to {mail.to_addr} will be sent again within a few minutes.", "success")
    else:
        flash("This mail has not failed, so there is nothing to retry.", "info")
    return redirect(url_for("calendar.outbox", show="failed"))


def _is_signatory(user) -> bool:
    pledge = active_pledge(db, user.organisation_id) if user.organisation_id else None
    return pledge is not None and pledge.signed_by_id == user.id


@member_bp.route("/company/reminders", methods=["GET", "POST"], endpoint="preferences")
@member_required(OrgRole.ADMIN)
def preferences_page():
    is_signatory = _is_signatory(current_user)
    form = PreferencesForm(kinds=preferences.chosen_kinds(db, current_user))
    if form.validate_on_submit():
        preferences.set_preferences(db, current_user, form.kinds.data or [],
                                    is_signatory=is_signatory)
        db.commit()
        flash("Your reminder choices have been saved.", "success")
        return redirect(url_for("reminders.preferences"))
    return render_form("calendar/preferences.html", form, is_signatory=is_signatory,
                       kinds=preferences.REMINDER_KINDS, locked=preferences.SIGNATORY_LOCKED,
                       schedule=plan.member_schedule(db, clock.today()))


@member_bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token):
    """RFC 8058: mail clients POST `List-Unsubscribe=One-Click` here with no session; the
    signed token is the authority. A GET only shows the button, so link scanners that open
    every URL in a mail never unsubscribe anyone."""
    found = one_click.read_unsubscribe_token(token)
    user = db.get(User, found[0]) if found else None
    if user is None or not user.is_active:
        return render_template("calendar/unsubscribe.html", problem=True), 404
    kind = found[1]
    is_signatory = _is_signatory(user)
    done = False
    if request.method == "POST":
        done = one_click.unsubscribe(db, user, kind, is_signatory=is_signatory)
        db.commit()
    return render_template("calendar/unsubscribe.html", label=preferences.REMINDER_KINDS[kind],
                           done=done, allowed=preferences.can_opt_out(kind, is_signatory),
                           form=ConfirmForm())
