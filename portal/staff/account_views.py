"""Staff accounts (staff admins): invite, change role, disable and enable."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.forms import ConfirmForm
from portal.auth.models import Invitation, StaffRole, User
from portal.db import session as db
from portal.forms import render_form
from portal.pagination import page_number, paginate
from portal.permissions import staff_required
from portal.staff import bp, service
from portal.staff.forms import InviteStaffForm, StaffRoleForm


def _staff_or_404(user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or user.staff_role is None:
        abort(404)
    return user


@bp.route("/accounts")
@staff_required(StaffRole.ADMIN)
def accounts():
    query = sa.select(User).where(User.staff_role.is_not(None), User.erased_at.is_(None)
                                  ).order_by(User.disabled_at.is_not(None), User.name, User.id)
    page = paginate(db, query, page_number(request.args.get("page")))
    invitations = list(db.execute(sa.select(Invitation).where(
        Invitation.staff_role.is_not(None), Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).order_by(Invitation.created_at.desc())).scalars())
    return render_template("staff/accounts.html", page=page, invitations=invitations,
                           form=ConfirmForm())


@bp.route("/accounts/invite", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def invite_staff():
    form = InviteStaffForm()
    if form.validate_on_submit():
        try:
            service.invite_staff(db, current_user, form.email.data,
                                 StaffRole(form.staff_role.data))
        except service.StaffActionError as error:
            form.email.errors.append(str(error))
            return render_form("staff/invite.html", form)
        db.commit()
        flash(f"We sent an invitation to {form.email.data}. It lasts 7 days.", "success")
        return redirect(url_for("staff.accounts"))
    return render_form("staff/invite.html", form)


@bp.route("/accounts/<int:user_id>/role", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def staff_role(user_id):
    person = _staff_or_404(user_id)
    form = StaffRoleForm(staff_role=person.staff_role.value if person.staff_role else "none")
    if form.validate_on_submit():
        role = None if form.staff_role.data == "none" else StaffRole(form.staff_role.data)
        try:
            service.change_staff_role(db, current_user, person, role)
        except service.StaffActionError as error:
            form.staff_role.errors.append(str(error))
            return render_form("staff/staff_role.html", form, person=person)
        db.commit()
        flash(f"{person.name}'s role has been saved.", "success")
        return redirect(url_for("staff.accounts"))
    return render_form("staff/staff_role.html", form, person=person)


@bp.route("/accounts/<int:user_id>/disable", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def disable_staff(user_id):
    person = _staff_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.disable_staff(db, current_user, person)
        except service.StaffActionError as error:
            return render_template("staff/disable.html", form=form, person=person,
                                   problem=str(error)), 409
        db.commit()
        flash(f"{person.name}'s account is disabled and signed out everywhere.", "success")
        return redirect(url_for("staff.accounts"))
    return render_form("staff/disable.html", form, person=person)


@bp.route("/accounts/<int:user_id>/enable", methods=["POST"])
@staff_required(StaffRole.ADMIN)
def enable_staff(user_id):
    person = _staff_or_404(user_id)
    if ConfirmForm().validate_on_submit() and person.disabled_at is not None:
        service.enable_staff(db, current_user, person)
        db.commit()
        flash(f"{person.name} can sign in again.", "success")
    return redirect(url_for("staff.accounts"))
