"""Staff admin: reporting cycles (list, create, edit)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.attestations import bp
from portal.attestations import cycles as cycle_service
from portal.attestations.forms import CycleForm
from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.auth.models import StaffRole
from portal.db import session as db
from portal.forms import render_form
from portal.pagination import page_number, paginate
from portal.permissions import staff_required

FIELDS = ("year", "opens_on", "due_on", "grace_until", "min_avg_hours_per_week",
          "min_coverage_pct", "new_signer_window_days")


@bp.route("/staff/cycles")
@staff_required(StaffRole.ADMIN)
def cycles():
    page = paginate(db, sa.select(ReportingCycle).order_by(ReportingCycle.year.desc()),
                    page_number(request.args.get("page")), per_page=20)
    counts = _submitted_counts([c.id for c in page.items])
    return render_template("attestations/cycles.html", page=page, counts=counts)


def _submitted_counts(cycle_ids: list[int]) -> dict[int, int]:
    if not cycle_ids:
        return {}
    rows = db.execute(
        sa.select(Attestation.cycle_id, sa.func.count()).where(
            Attestation.cycle_id.in_(cycle_ids),
            Attestation.status != AttestationStatus.DRAFT)
        .group_by(Attestation.cycle_id))
    return dict(rows.all())


@bp.route("/staff/cycles/new", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def new_cycle():
    form = CycleForm(data={"min_avg_hours_per_week": "1.0", "min_coverage_pct": "80",
                           "new_signer_window_days": "60"})
    return _save_cycle(form, None)


@bp.route("/staff/cycles/<int:cycle_id>", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def edit_cycle(cycle_id):
    cycle = db.get(ReportingCycle, cycle_id) or abort(404)
    form = CycleForm(data={name: getattr(cycle, name) for name in FIELDS})
    return _save_cycle(form, cycle)


def _save_cycle(form, cycle):
    if form.validate_on_submit():
        if cycle_service.cycle_year_taken(db, form.year.data, cycle.id if cycle else None):
            form.year.errors.append(f"There is already a cycle for {form.year.data}")
        else:
            values = {name: getattr(form, name).data for name in FIELDS}
            saved = cycle_service.save_cycle(db, current_user, values, cycle)
            try:
                db.commit()
            except IntegrityError:  # a colleague created the same year a moment ago
                db.rollback()
                form.year.errors.append(f"There is already a cycle for {form.year.data}")
                return render_form("attestations/cycle_form.html", form, cycle=cycle)
            flash(f"The {saved.year} cycle is saved.", "success")
            return redirect(url_for("attestations.cycles"))
    return render_form("attestations/cycle_form.html", form, cycle=cycle)
