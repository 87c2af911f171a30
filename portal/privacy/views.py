from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from portal import clock
from portal.audit.service import record
from portal.auth.forms import ConfirmForm
from portal.auth.models import OrgRole
from portal.auth.service import authenticate
from portal.auth.sessions import end_session
from portal.db import session as db
from portal.forms import render_form
from portal.permissions import login_required, member_required
from portal.privacy import bp, export, service
from portal.privacy.forms import DeleteAccountForm


@bp.route("/company/data-export", methods=["GET", "POST"])
@member_required(OrgRole.ADMIN, verified=True)
def company_export():
    organisation = current_user.organisation
    form = ConfirmForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            abort(400)
        return render_template("privacy/company_export.html", form=form,
                               organisation=organisation)
    archive = export.build_export(db, organisation)
    record(db, "company_data_exported", actor=current_user, obj=organisation,
           organisation_id=organisation.id)
    db.commit()
    name = f"{organisation.slug}-pledge-portal-data-{clock.today().isoformat()}.zip"
    return send_file(archive, mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    blocker = service.deletion_blocker(db, current_user)
    if blocker:
        return render_template("privacy/delete_account.html", blocker=blocker, form=None)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if authenticate(db, current_user.email, form.password.data) is None:
            form.password.errors.append("Your password is not correct")
            return render_form("privacy/delete_account.html", form, blocker=None)
        service.erase_account(db, current_user)
        db.commit()
        end_session()
        flash("Your account has been deleted. We have erased your name and email address.",
              "success")
        return redirect(url_for("pages.home"))
    return render_form("privacy/delete_account.html", form, blocker=None)
