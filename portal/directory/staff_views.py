"""Staff admins delist a company (with a public reason) or undo it; both are audited."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.auth.forms import ConfirmForm
from portal.auth.models import StaffRole
from portal.db import session as db
from portal.directory import bp, service
from portal.directory.forms import DelistForm
from portal.directory.status import public_status, status_context
from portal.forms import render_form
from portal.organisations.models import Organisation
from portal.pagination import page_number, paginate
from portal.permissions import staff_required


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.route("/staff/delisting")
@staff_required()
def delisting():
    """Companies to consider delisting (non-reporting two cycles in a row) and those delisted."""
    from portal.calendar.digest import delist_candidates

    candidates = delist_candidates(db, status_context(db, clock.today()))
    delisted = paginate(db, sa.select(Organisation).where(Organisation.delisted_at.is_not(None))
                        .order_by(Organisation.delisted_at.desc(), Organisation.id),
                        page_number(request.args.get("page")))
    return render_template("directory/delisting.html", candidates=candidates, page=delisted)


@bp.route("/staff/companies/<int:organisation_id>/delist", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def delist(organisation_id):
    organisation = _organisation_or_404(organisation_id)
    status = public_status(db, organisation, clock.today())
    form = DelistForm()
    if organisation.delisted_at is None and form.validate_on_submit():
        service.delist_company(db, current_user, organisation, form.reason.data)
        db.commit()
        flash(f"{organisation.name} has been delisted. Its profile now says why.", "success")
        return redirect(url_for("directory.profile", slug=organisation.slug))
    return render_form("directory/delist.html", form, organisation=organisation, status=status,
                       relist_form=ConfirmForm())


@bp.route("/staff/companies/<int:organisation_id>/relist", methods=["POST"])
@staff_required(StaffRole.ADMIN)
def relist(organisation_id):
    organisation = _organisation_or_404(organisation_id)
    if ConfirmForm().validate_on_submit() and organisation.delisted_at is not None:
        service.relist_company(db, current_user, organisation)
        db.commit()
        flash(f"{organisation.name} is no longer delisted.", "success")
    return redirect(url_for("directory.delist", organisation_id=organisation.id))
