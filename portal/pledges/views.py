"""Member pages: the pledge record, signing and re-signing, withdrawal, the PDF statement."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.auth.models import OrgRole
from portal.db import session as db
from portal.forms import render_form
from portal.pagination import page_number, paginate
from portal.permissions import member_required, own_organisation_or_404
from portal.pledges import bp, service, staff_views  # noqa: F401  (staff routes register)
from portal.pledges.forms import SignForm, WithdrawForm
from portal.pledges.models import Pledge
from portal.pledges.pages import (
    history_query,
    pledge_summary,
    resign_changes,
    statement_response,
)

ALREADY_SIGNED = "Your company has already signed the current version of the People Pillar."


@bp.route("/company/pledge")
@member_required()
def record():
    organisation = current_user.organisation
    page = paginate(db, history_query(organisation.id), page_number(request.args.get("page")))
    return render_template(
        "pledges/record.html", organisation=organisation, page=page,
        summary=pledge_summary(db, organisation.id, clock.today()),
    )


@bp.route("/company/pledge/<int:pledge_id>")
@member_required()
def pledge_detail(pledge_id):
    pledge = own_organisation_or_404(db.get(Pledge, pledge_id))
    return render_template("pledges/detail.html", pledge=pledge,
                           state=service.pledge_state(db, pledge, clock.today()))


@bp.route("/company/pledge/<int:pledge_id>/statement.pdf")
@member_required()
def statement_pdf(pledge_id):
    return statement_response(own_organisation_or_404(db.get(Pledge, pledge_id)))


@bp.route("/company/pledge/sign", methods=["GET", "POST"])
@member_required()
def sign():
    organisation = current_user.organisation
    version = service.current_code_version(db)
    current = service.active_pledge(db, organisation.id)
    if current is not None and current.code_version_id == version.id:
        flash(ALREADY_SIGNED, "success")
        return redirect(url_for("pledges.record"))
    context = {"organisation": organisation, "version": version, "current": current,
               "changes": resign_changes(db, current, version)}
    if not (current_user.is_member_admin and current_user.is_verified):
        # Everyone in the company may read what would be signed; only verified admins sign.
        if request.method == "POST":
            abort(403)
        return render_template("pledges/sign_readonly.html",
                               admins=service.company_admins(db, organisation.id), **context)
    form = SignForm(company_name=organisation.name,
                    data={"signatory_name": current_user.name, "version_id": version.id})
    if not form.validate_on_submit():
        return render_form("pledges/sign.html", form, **context)
    return _sign(form, organisation, version, context)


def _sign(form, organisation, version, context):
    signatory = service.Signatory(
        user=current_user, name=form.signatory_name.data, job_title=form.signatory_title.data,
        ip_address=request.remote_addr, user_agent=request.headers.get("User-Agent"))
    try:
        pledge = service.sign_pledge(db, organisation, signatory, _int(form.version_id.data))
        db.commit()
    except service.VersionChanged:
        db.rollback()
        form.version_id.data = version.id
        return render_form("pledges/sign.html", form, version_changed=True, **context)
    except (service.AlreadySigned, IntegrityError):
        # A double submit or a colleague in another tab: one pledge was kept, not two.
        db.rollback()
        flash(ALREADY_SIGNED, "success")
        return redirect(url_for("pledges.record"))
    return redirect(url_for("pledges.confirmation", pledge_id=pledge.id))


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@bp.route("/company/pledge/<int:pledge_id>/signed")
@member_required()
def confirmation(pledge_id):
    pledge = own_organisation_or_404(db.get(Pledge, pledge_id))
    return render_template("pledges/confirmation.html", pledge=pledge)


@bp.route("/company/pledge/withdraw", methods=["GET", "POST"])
@member_required(OrgRole.ADMIN, verified=True)
def withdraw():
    organisation = current_user.organisation
    pledge = service.active_pledge(db, organisation.id)
    if pledge is None:
        flash("Your company has no active pledge to withdraw.", "warning")
        return redirect(url_for("pledges.record"))
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_form("pledges/withdraw.html", form, pledge=pledge,
                           organisation=organisation)
    try:
        service.withdraw_pledge(db, organisation, current_user, form.reason.data)
        db.commit()
    except (service.NoActivePledge, IntegrityError):
        db.rollback()
    flash(f"{organisation.name} has withdrawn its pledge. It no longer appears in the member "
          "directory. You can sign again at any time.", "success")
    return redirect(url_for("pledges.record"))
