"""Staff admins delist a company (with a public reason) or undo it; both are audited."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from portal import clock
from portal.auth.forms import ConfirmForm
from portal.auth.models import StaffRole
from portal.db import session as db
from portal.directory import bp, service
from portal.directory.forms import DelistForm
from portal.directory.status import public_status
from portal.forms import render_form
from portal.organisations.models import Organisation
from portal.permissions import staff_required


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


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
