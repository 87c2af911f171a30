"""The staff area: dashboard, companies and their history, extensions, appointing admins."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.attestations.models import ReportingCycle
from portal.auth.models import StaffRole
from portal.db import session as db
from portal.forms import CONTROL_CHARS, render_form
from portal.organisations.models import Organisation
from portal.pagination import page_number, paginate
from portal.permissions import staff_required
from portal.staff import bp, queries, service
from portal.staff.forms import AppointAdminForm, ExtensionForm, parse_date
from portal.text import fold


@bp.route("")
@staff_required()
def dashboard():
    return render_template("staff/dashboard.html",
                           figures=queries.dashboard(db, clock.today()))


@bp.route("/companies")
@staff_required()
def companies():
    query = sa.select(Organisation).order_by(Organisation.search_name, Organisation.id)
    # Control characters (a NUL byte) have no place in a name and PostgreSQL refuses them.
    search = CONTROL_CHARS.sub("", request.args.get("q", ""))[:200].strip()
    if search:
        query = query.where(Organisation.search_name.contains(fold(search), autoescape=True))
    page = paginate(db, query, page_number(request.args.get("page")))
    return render_template("staff/companies.html", page=page, search=search)


def _organisation_or_404(organisation_id: int) -> Organisation:
    return db.get(Organisation, organisation_id) or abort(404)


@bp.route("/companies/<int:organisation_id>")
@staff_required()
def company(organisation_id):
    organisation = _organisation_or_404(organisation_id)
    return render_template("staff/company.html", organisation=organisation,
                           history=queries.company_history(db, organisation))


@bp.route("/companies/<int:organisation_id>/extension", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def extend_deadline(organisation_id):
    organisation = _organisation_or_404(organisation_id)
    cycles = list(db.execute(sa.select(ReportingCycle).where(
        ReportingCycle.grace_until >= clock.today()).order_by(ReportingCycle.year)).scalars())
    form = ExtensionForm()
    form.cycle_id.choices = [("", "Select…"), *((str(c.id), str(c.year)) for c in cycles)]
    if form.validate_on_submit():
        cycle = db.get(ReportingCycle, int(form.cycle_id.data))
        try:
            service.extend_deadline(db, current_user, organisation, cycle,
                                    parse_date(form.until.data), form.reason.data)
        except service.StaffActionError as error:
            form.until.errors.append(str(error))
            return render_form("staff/extension.html", form, organisation=organisation)
        db.commit()
        flash(f"{organisation.name} now has until {parse_date(form.until.data):%-d %B %Y} "
              f"to submit for {cycle.year}. We emailed its admins.", "success")
        return redirect(url_for("staff.company", organisation_id=organisation.id))
    return render_form("staff/extension.html", form, organisation=organisation)


@bp.route("/companies/<int:organisation_id>/appoint-admin", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def appoint_admin(organisation_id):
    organisation = _organisation_or_404(organisation_id)
    form = AppointAdminForm()
    if form.validate_on_submit():
        try:
            outcome = service.appoint_company_admin(db, current_user, organisation,
                                                    form.email.data)
        except service.StaffActionError as error:
            form.email.errors.append(str(error))
            return render_form("staff/appoint_admin.html", form, organisation=organisation)
        db.commit()
        flash(f"{form.email.data} is now an admin of {organisation.name}." if outcome ==
              "promoted" else f"We invited {form.email.data} to be an admin of "
              f"{organisation.name}. The invitation lasts 7 days.", "success")
        return redirect(url_for("staff.company", organisation_id=organisation.id))
    return render_form("staff/appoint_admin.html", form, organisation=organisation)


from portal.staff import account_views  # noqa: E402,F401  (registers more routes on bp)
