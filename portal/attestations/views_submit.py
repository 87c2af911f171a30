"""Section F: check your answers, preview as PDF, declare and submit; submitted PDFs."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.attestations import bp, metrics, service, summary
from portal.attestations.access import member_state, version_or_404
from portal.attestations.forms import DeclarationForm
from portal.attestations.sections import FORM_SECTIONS, SECTIONS
from portal.auth.models import OrgRole
from portal.db import session as db
from portal.forms import render_form
from portal.pdf import render_pdf
from portal.permissions import login_required, member_required
from portal.templating import format_date, format_datetime

ATTEMPT_KEY = "declaration_attempt"


def _check_context(state) -> dict:
    attestation = state.attestation
    answers = attestation.answers if attestation else {}
    derived = metrics.compute_metrics(answers or {})
    return {
        "state": state, "attestation": attestation, "sections": SECTIONS,
        "rows": {key: summary.section_rows(key, answers) for key in FORM_SECTIONS},
        "metrics": derived, "meets": metrics.meets_thresholds(derived, state.cycle),
        "problems": service.readiness_problems(attestation) if attestation else [],
        "files": service.evidence_files(db, attestation.id) if attestation else [],
        "version": service.latest_version(db, attestation) if attestation else None,
    }


@bp.route("/company/attestation/check")
@member_required()
def check_answers():
    state = member_state()
    if state.cycle is None or state.attestation is None:
        return redirect(url_for("attestations.index"))
    attempt = session.pop(ATTEMPT_KEY, None)
    if attempt and attempt.get("attestation_id") == state.attestation.id:
        # Redirected here after a refused declaration: what was typed, with its errors.
        form = DeclarationForm(data=attempt["values"])
        for name, messages in attempt["errors"].items():
            form[name].errors = list(messages)
    else:
        form = DeclarationForm(data={"declaration_name": current_user.name})
    return render_form("attestations/check.html", form, **_check_context(state))


@bp.route("/company/attestation/submit", methods=["POST"])
@member_required(OrgRole.ADMIN, verified=True)
def submit():
    state = member_state()
    if state.attestation is None or not state.has_pledge or not state.can_edit:
        flash(f"You cannot submit the attestation now. {state.locked_reason}", "warning")
        return redirect(url_for("attestations.index"))
    form = DeclarationForm()
    context = _check_context(state)
    if not form.validate_on_submit() or context["problems"]:
        if form.csrf_failed:
            return render_form("attestations/check.html", form, **context)
        # Redirect after the error, so a refresh of the page never posts the declaration.
        session[ATTEMPT_KEY] = {
            "attestation_id": state.attestation.id,
            "values": {"confirm": bool(form.confirm.data),
                       "declaration_name": form.declaration_name.data or "",
                       "declaration_role": form.declaration_role.data or ""},
            "errors": {name: list(messages) for name, messages in form.errors.items()
                       if name != "csrf_token"}}
        return redirect(url_for("attestations.check_answers"))
    version = service.submit_attestation(
        db, state.attestation, current_user, declaration_name=form.declaration_name.data,
        declaration_role=form.declaration_role.data)
    try:
        db.commit()
    except IntegrityError:
        # Two admins pressed Submit at the same moment: the first one's version stands.
        db.rollback()
        flash("Your attestation has already been submitted by a colleague.", "warning")
        return redirect(url_for("attestations.index"))
    return redirect(url_for("attestations.confirmation", version_id=version.id))


@bp.route("/company/attestation/submitted/<int:version_id>")
@member_required()
def confirmation(version_id):
    version = version_or_404(version_id)
    return render_template("attestations/confirmation.html", version=version,
                           attestation=version.attestation)


@bp.route("/company/attestation/preview.pdf")
@member_required()
def preview_pdf():
    state = member_state()
    if state.attestation is None:
        abort(404)
    snapshot = service.build_snapshot(db, state.attestation, {
        "name": "", "role": ""})
    return _pdf(_pdf_context(snapshot, None), f"attestation-{state.cycle.year}-preview.pdf")


@bp.route("/attestation-versions/<int:version_id>.pdf")
@login_required
def version_pdf(version_id):
    """Exactly what was submitted, from the frozen snapshot (own company and staff)."""
    version = version_or_404(version_id)
    return _pdf(_pdf_context(version.snapshot, version), f"{version.reference}.pdf")


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _pdf_context(snapshot: dict, version) -> bytes:
    answers = snapshot.get("answers") or {}
    # Older or hand-made snapshots hold the bare name and year.
    cycle = _as_dict(snapshot.get("cycle"), "year")
    organisation = _as_dict(snapshot.get("organisation"), "name")
    derived = snapshot.get("metrics") or metrics.compute_metrics(answers)
    context = {
        "organisation_name": organisation.get("name", ""),
        "year": cycle.get("year"),
        "sections": [(s.letter, s.title, summary.section_rows(s.key, answers))
                     for s in SECTIONS if s.key in FORM_SECTIONS],
        "avg": _metric(derived.get("avg_hours_per_week"), 2),
        "coverage": _metric(derived.get("coverage_pct"), 1),
        "min_avg": cycle.get("min_avg_hours_per_week"),
        "min_coverage": cycle.get("min_coverage_pct"),
        "evidence": snapshot.get("evidence") or [],
        "declaration": snapshot.get("declaration") or {},
        "is_preview": version is None,
        "reference": version.reference if version else None,
        "sha256": version.sha256 if version else None,
        "submitted_at": format_datetime(version.submitted_at) if version else None,
        "is_late": bool(version and version.is_late),
        "generated_on": format_date(clock.today()),
    }
    return render_pdf("attestations/pdf/attestation.html", context)


def _as_dict(value, key: str) -> dict:
    return value if isinstance(value, dict) else {key: value}


def _metric(value, places: int) -> str:
    if value in (None, "None"):
        return "Not yet known"
    return f"{Decimal(value):,.{places}f}"
