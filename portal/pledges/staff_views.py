"""Staff pages: code versions (drafts, preview, publication) and every company's pledges."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from portal import clock
from portal.auth.forms import ConfirmForm
from portal.auth.models import StaffRole
from portal.db import session as db
from portal.forms import render_form
from portal.organisations.models import Organisation
from portal.pagination import page_number, paginate
from portal.permissions import staff_required
from portal.pledges import bp, service, versions
from portal.pledges.forms import CodeVersionForm
from portal.pledges.models import CodeVersion, Pledge
from portal.pledges.pages import statement_response
from portal.text import fold

PUBLISHED = "Version {n} is published and can no longer be changed. Create a new version instead."
PLEDGE_FILTERS = {
    "active": ("Active", Pledge.active_organisation_id.is_not(None)),
    "withdrawn": ("Withdrawn", Pledge.withdrawn_at.is_not(None)),
    "superseded": ("Replaced by re-signing", Pledge.superseded_at.is_not(None)),
}


def _version_or_404(version_id: int) -> CodeVersion:
    version = db.get(CodeVersion, version_id)
    if version is None:
        abort(404)
    return version


def _draft_or_redirect(version_id: int):
    version = _version_or_404(version_id)
    if version.is_published:
        flash(PUBLISHED.format(n=version.number), "warning")
        return version, redirect(url_for("pledges.code_version", version_id=version.id))
    return version, None


@bp.route("/staff/code-versions")
@staff_required()
def code_versions():
    page = paginate(db, versions.published_versions_query(), page_number(request.args.get("page")))
    return render_template("pledges/staff/code_versions.html", page=page,
                           drafts=versions.drafts(db),
                           current=service.current_code_version(db))


@bp.route("/staff/code-versions/new", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def new_code_version():
    current = service.current_code_version(db)
    form = CodeVersionForm() if request.method == "POST" else CodeVersionForm.from_version(current)
    if request.method == "GET":
        form.title.data = f"The People Pillar, version {current.number + 1}"
        form.summary_of_changes.data = ""
    if not form.validate_on_submit():
        return render_form("pledges/staff/edit_version.html", form, version=None,
                           current=current)
    version = versions.create_draft(db, current_user, _values(form))
    db.commit()
    flash("Draft saved. Check the preview, then publish it when it is ready.", "success")
    return redirect(url_for("pledges.code_version", version_id=version.id))


def _values(form: CodeVersionForm) -> dict:
    return {"title": form.title.data, "summary_of_changes": form.summary_of_changes.data,
            "commitments": form.commitments()}


@bp.route("/staff/code-versions/<int:version_id>")
@staff_required()
def code_version(version_id):
    version = _version_or_404(version_id)
    current = service.current_code_version(db)
    changes = None if version.id == current.id or (
        version.is_published and version.number < current.number) else \
        versions.compare_versions(current, version)
    return render_template("pledges/staff/code_version.html", version=version, current=current,
                           changes=changes)


@bp.route("/staff/code-versions/<int:version_id>/edit", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def edit_code_version(version_id):
    version, refused = _draft_or_redirect(version_id)
    if refused:
        return refused
    form = CodeVersionForm() if request.method == "POST" else CodeVersionForm.from_version(version)
    if not form.validate_on_submit():
        return render_form("pledges/staff/edit_version.html", form, version=version,
                           current=service.current_code_version(db))
    versions.update_draft(db, current_user, version, _values(form))
    db.commit()
    flash("Draft saved.", "success")
    return redirect(url_for("pledges.code_version", version_id=version.id))


@bp.route("/staff/code-versions/<int:version_id>/publish", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def publish_code_version(version_id):
    version, refused = _draft_or_redirect(version_id)
    if refused:
        return refused
    current = service.current_code_version(db)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_form(
            "pledges/staff/publish.html", form, version=version, number=current.number + 1,
            companies=versions.companies_to_resign_count(db, current.number + 1))
    try:
        companies = versions.publish_version(db, current_user, version)
        db.commit()
    except IntegrityError:
        db.rollback()
        flash("Another version was published at the same moment. Check the list of versions "
              "before publishing this draft.", "warning")
        return redirect(url_for("pledges.code_versions"))
    flash(f"Version {version.number} is published. {companies:,} "
          f"compan{'y was' if companies == 1 else 'ies were'} asked to re-sign.", "success")
    return redirect(url_for("pledges.code_version", version_id=version.id))


@bp.route("/staff/code-versions/<int:version_id>/delete", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def delete_code_version(version_id):
    version, refused = _draft_or_redirect(version_id)
    if refused:
        return refused
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_form("pledges/staff/delete_version.html", form, version=version)
    versions.delete_draft(db, current_user, version)
    db.commit()
    flash(f"The draft “{version.title}” was deleted.", "success")
    return redirect(url_for("pledges.code_versions"))


@bp.route("/staff/pledges")
@staff_required()
def staff_pledges():
    query = (sa.select(Pledge).join(Organisation, Organisation.id == Pledge.organisation_id)
             .options(contains_eager(Pledge.organisation))
             .order_by(Pledge.signed_at.desc(), Pledge.id.desc()))
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(sa.or_(
            Organisation.search_name.contains(fold(search), autoescape=True),
            Pledge.reference == search.upper()))
    current = service.current_code_version(db)
    state = request.args.get("state", "")
    if state == "resign":
        query = query.where(Pledge.active_organisation_id.is_not(None),
                            Pledge.code_version_id != current.id)
    elif state in PLEDGE_FILTERS:
        query = query.where(PLEDGE_FILTERS[state][1])
    page = paginate(db, query, page_number(request.args.get("page")))
    return render_template("pledges/staff/pledges.html", page=page, search=search,
                           state=state if state in PLEDGE_FILTERS or state == "resign" else "",
                           filters=PLEDGE_FILTERS, current=current)


@bp.route("/staff/pledges/<int:pledge_id>")
@staff_required()
def staff_pledge(pledge_id):
    pledge = db.get(Pledge, pledge_id) or abort(404)
    return render_template("pledges/staff/pledge.html", pledge=pledge,
                           state=service.pledge_state(db, pledge, clock.today()),
                           history=service.pledge_history(db, pledge.organisation_id))


@bp.route("/staff/pledges/<int:pledge_id>/statement.pdf")
@staff_required()
def staff_statement_pdf(pledge_id):
    return statement_response(db.get(Pledge, pledge_id) or abort(404))
