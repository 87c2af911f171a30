import sqlalchemy as sa
from flask import render_template, request

from portal.db import session as db
from portal.organisations.models import Organisation
from portal.pagination import page_number, paginate
from portal.permissions import staff_required
from portal.staff import bp
from portal.text import fold


@bp.route("")
@staff_required()
def dashboard():
    return render_template("staff/dashboard.html")


@bp.route("/companies")
@staff_required()
def companies():
    query = sa.select(Organisation).order_by(Organisation.search_name, Organisation.id)
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(Organisation.search_name.contains(fold(search), autoescape=True))
    page = paginate(db, query, page_number(request.args.get("page")))
    return render_template("staff/companies.html", page=page, search=search)
