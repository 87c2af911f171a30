from __future__ import annotations

import importlib

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import clock
from portal.auth import service as auth_service
from portal.auth.forms import ConfirmForm
from portal.auth.models import Invitation, OrgRole, User
from portal.db import session as db
from portal.forms import render_form
from portal.organisations import bp, service
from portal.organisations.forms import InviteForm, ProfileForm, RoleForm
from portal.permissions import member_required
from portal.reference import HEADCOUNT_BAND_NAMES, REGION_NAMES, SECTOR_NAMES


def _organisation():
    return current_user.organisation


def _colleague_or_404(user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


def _invitation_or_404(invitation_id: int) -> Invitation:
    invitation = db.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != current_user.organisation_id:
        abort(404)
    return invitation


PANEL_DOMAINS = ("pledges", "attestations", "certificates")


def company_panels(organisation) -> list[tuple[str, dict]]:
    """(template, context) for each domain that shows a panel on the company overview.

    A domain opts in with portal/<domain>/panels.py: company_panel(db, organisation, user)
    returning a dict (or None to show nothing) rendered by <domain>/_company_panel.html.
    """
    panels = []
    for domain in PANEL_DOMAINS:
        try:
            module = importlib.import_module(f"portal.{domain}.panels")
        except ModuleNotFoundError as error:
            if error.name not in (f"portal.{domain}", f"portal.{domain}.panels"):
                raise
            continue
        context = module.company_panel(db, organisation, current_user)
        if context is not None:
            panels.append((f"{domain}/_company_panel.html", context))
    return panels


@bp.route("")
@member_required()
def overview():
    organisation = _organisation()
    return render_template(
        "organisations/overview.html", organisation=organisation,
        panels=company_panels(organisation),
        sector=SECTOR_NAMES.get(organisation.sector), region=REGION_NAMES.get(organisation.region),
        headcount=HEADCOUNT_BAND_NAMES.get(organisation.headcount_band),
    )


def _may_leave_directory(organisation) -> bool:
    """Only in good standing, so nobody hides a lapse (the directory's status decides)."""
    from portal.directory.status import public_status

    return public_status(db, organisation, clock.today()).may_opt_out


@bp.route("/profile", methods=["GET", "POST"])
@member_required(OrgRole.ADMIN)
def edit_profile():
    organisation = _organisation()
    form = ProfileForm(obj=organisation, company_name=organisation.name)
    if form.validate_on_submit():
        if service.company_number_taken(db, form.company_number.data, organisation.id):
            form.company_number.errors.append(
                "Another registered company already uses this company number")
            return render_form("organisations/profile.html", form)
        if organisation.is_listed and not form.is_listed.data and not _may_leave_directory(
                organisation):
            form.is_listed.errors.append(
                "Your company cannot leave the directory while its report is overdue or "
                "missing. Send your annual attestation first.")
            return render_form("organisations/profile.html", form)
        values = {
            "name": form.company_name.data, "company_number": form.company_number.data,
            "sector": form.sector.data, "region": form.region.data,
            "headcount_band": form.headcount_band.data, "website": form.website.data,
            "description": form.description.data, "is_listed": form.is_listed.data,
            "publishes_metrics": form.publishes_metrics.data,
        }
        service.update_profile(db, current_user, organisation, values)
        db.commit()
        flash("Your company profile has been saved.", "success")
        return redirect(url_for("organisations.overview"))
    return render_form("organisations/profile.html", form)


@bp.route("/people")
@member_required()
def people():
    invitations = db.execute(
        sa.select(Invitation).where(
            Invitation.organisation_id == current_user.organisation_id,
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        ).order_by(Invitation.created_at.desc())
    ).scalars().all()
    return render_template(
        "organisations/people.html", members=service.members_of(db, current_user.organisation_id),
        invitations=invitations, now=clock.now(), form=ConfirmForm(),
    )


@bp.route("/people/invite", methods=["GET", "POST"])
@member_required(OrgRole.ADMIN, verified=True)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        if auth_service.find_user_by_email(db, form.email.data):
            form.email.errors.append(
                "This person already has a Pledge Portal account. Ask them to contact us "
                "to move their account to your company.")
            return render_form("organisations/invite.html", form)
        auth_service.invite(db, current_user, form.email.data,
                            org_role=OrgRole(form.org_role.data),
                            organisation=_organisation())
        db.commit()
        flash(f"We sent an invitation to {form.email.data}. It lasts 7 days.", "success")
        return redirect(url_for("organisations.people"))
    return render_form("organisations/invite.html", form)


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@member_required(OrgRole.ADMIN, verified=True)
def resend_invitation(invitation_id):
    invitation = _invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit() and invitation.accepted_at is None \
            and invitation.revoked_at is None:
        auth_service.resend_invitation(db, current_user, invitation)
        db.commit()
        flash(f"We sent the invitation to {invitation.email} again.", "success")
    return redirect(url_for("organisations.people"))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@member_required(OrgRole.ADMIN, verified=True)
def revoke_invitation(invitation_id):
    invitation = _invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit() and invitation.accepted_at is None:
        auth_service.revoke_invitation(db, current_user, invitation)
        db.commit()
        flash(f"The invitation to {invitation.email} has been cancelled.", "success")
    return redirect(url_for("organisations.people"))


@bp.route("/people/<int:user_id>/role", methods=["GET", "POST"])
@member_required(OrgRole.ADMIN, verified=True)
def change_role(user_id):
    member = _colleague_or_404(user_id)
    form = RoleForm(org_role=member.org_role.value if member.org_role else None)
    if form.validate_on_submit():
        try:
            service.change_role(db, current_user, member, OrgRole(form.org_role.data))
        except service.LastAdminError:
            form.org_role.errors.append(
                "Your company must keep at least one admin. Make someone else an admin first.")
            return render_form("organisations/change_role.html", form, member=member)
        db.commit()
        flash(f"{member.name} is now {form.org_role.data}.", "success")
        return redirect(url_for("organisations.people"))
    return render_form("organisations/change_role.html", form, member=member)


@bp.route("/people/<int:user_id>/remove", methods=["GET", "POST"])
@member_required(OrgRole.ADMIN, verified=True)
def remove_member(user_id):
    member = _colleague_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.remove_member(db, current_user, member)
        except service.LastAdminError:
            form.csrf_token.errors = []
            error = "Your company must keep at least one admin. Make someone else an admin first."
            return render_template("organisations/remove_member.html", form=form,
                                   member=member, problem=error), 409
        db.commit()
        flash(f"{member.name} has been removed from your company.", "success")
        if member.id == current_user.id:
            return redirect(url_for("pages.home"))
        return redirect(url_for("organisations.people"))
    return render_form("organisations/remove_member.html", form, member=member)
