"""Public verification and credentials, company downloads. Staff pages: staff_views.py."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock, pagecache
from portal.certificates import bp, credentials, service, visits
from portal.certificates.badge import badge_svg, etag_for
from portal.certificates.forms import CheckFileForm, VerifyForm
from portal.certificates.models import Certificate
from portal.db import session as db
from portal.extensions import limiter
from portal.pagecache import remembered
from portal.pagination import page_number, paginate
from portal.permissions import login_required, member_required, own_organisation_or_404, public

MAX_ID = 2**31 - 1  # larger numbers in a URL cannot name a row (and overflow the driver)
NOT_FOUND = "No certificate has this number. Check it against the certificate"
JSON = "application/json"
VC_JWT = "application/vc+jwt"
MACHINE_ENDPOINTS = {"certificates.credential_json", "certificates.credential_jwt",
                     "certificates.issuer", "certificates.jwks", "certificates.achievement",
                     "certificates.status_list"}


@bp.after_request
def allow_other_origins(response):
    """Public, non-personal documents: let verifiers running in any web page fetch them."""
    if request.endpoint in MACHINE_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/verify")
@public
@limiter.limit("60 per minute")
def verify():
    if "number" not in request.args:
        return render_template("certificates/verify.html", form=VerifyForm(formdata=None))
    form = VerifyForm(formdata=request.args)
    if not form.validate():
        return render_template("certificates/verify.html", form=form)
    certificate = service.find_by_number(db, form.number.data)
    if certificate is None:
        form.number.errors.append(NOT_FOUND)
        return render_template("certificates/verify.html", form=form), 404
    return redirect(url_for("certificates.verification",
                            verification_id=certificate.verification_id))


def _certificate_or_404(verification_id: str) -> Certificate:
    certificate = service.find_by_verification_id(db, verification_id)
    if certificate is None:
        abort(404)
    return certificate


def _verification_page(certificate: Certificate) -> Response:
    state = service.certificate_state(certificate, clock.today())
    replacement = db.get(Certificate, certificate.superseded_by_id) \
        if certificate.superseded_by_id else None
    response = Response(render_template(
        "certificates/verification.html", certificate=certificate, state=state,
        values=certificate.rendered_values, replacement=replacement))
    return _revalidated(response, state)


def _revalidated(response: Response, state: str) -> Response:
    if state == "revoked":
        # Open Badges practice: a revoked credential answers 410 and is never cached.
        response.status_code = 410
        response.headers["Cache-Control"] = "no-store"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/verify/<verification_id>")
@public
def verification(verification_id):
    # The page is the same for every anonymous visitor (remembered); each visit still counts.
    response = pagecache.serve(
        lambda: _verification_page(_certificate_or_404(verification_id)))
    visits.count(verification_id)
    return response


@bp.route("/verify/<verification_id>/check-file", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def check_file(verification_id):
    """Compare an uploaded file's sha256 with the stored one; the file is not kept. (A page of
    its own: its form's CSRF token is personal, the verification page is shared.)"""
    certificate = _certificate_or_404(verification_id)
    form = CheckFileForm() if request.method == "POST" else CheckFileForm(formdata=None)
    file_check = None
    if form.validate_on_submit():
        digest = hashlib.file_digest(form.certificate_file.data.stream, "sha256").hexdigest()
        file_check = {"matches": digest == certificate.pdf_sha256, "sha256": digest,
                      "filename": form.certificate_file.data.filename}
    state = service.certificate_state(certificate, clock.today())
    response = _revalidated(Response(render_template(
        "certificates/check_file.html", certificate=certificate, state=state,
        values=certificate.rendered_values, form=form, file_check=file_check)), state)
    if form.csrf_failed:
        response.status_code = 400
    return response


@bp.route("/verify/<verification_id>/credential.json")
@public
def credential_json(verification_id):
    certificate = _certificate_or_404(verification_id)
    body = json.dumps(credentials.enveloped(certificate.credential_jws), indent=2)
    return Response(body, mimetype=JSON, headers={"Cache-Control": "no-cache"})


@bp.route("/verify/<verification_id>/credential.jwt")
@public
def credential_jwt(verification_id):
    certificate = _certificate_or_404(verification_id)
    return Response(certificate.credential_jws, mimetype=VC_JWT)


@bp.route("/credentials/issuer")
@public
def issuer():
    return Response(json.dumps(credentials.issuer_profile(), indent=2), mimetype=JSON)


@bp.route("/credentials/jwks.json")
@public
def jwks():
    """The current signing key first, then the retired ones still published."""
    return Response(json.dumps(credentials.published_jwks(), indent=2), mimetype=JSON)


@bp.route("/credentials/achievements/<int:version>")
@public
def achievement(version):
    from portal.pledges.models import CodeVersion

    code = db.execute(CodeVersion.__table__.select().where(
        CodeVersion.number == version)).first() if version <= MAX_ID else None
    if code is None:
        abort(404)
    document = credentials.achievement(code.number, service.criteria_text(code.commitments))
    return Response(json.dumps(document, indent=2), mimetype=JSON)


@bp.route("/credentials/status/<int:list_number>")
@public
def status_list(list_number):
    """The signed Bitstring Status List; never cached long, so a revocation shows at once."""
    size = credentials.STATUS_LIST_BITS
    if list_number > MAX_ID or not service.status_list_exists(db, list_number, size):
        abort(404)
    document = credentials.status_list_credential(
        list_number, service.revoked_indexes(db, list_number, size),
        service.iso_utc(clock.now()))
    return Response(credentials.sign(document), mimetype=VC_JWT,
                    headers={"Cache-Control": "no-cache"})


@bp.route("/company/certificates")
@member_required()
def company_certificates():
    page = paginate(db, service.certificates_query(current_user.organisation_id),
                    page_number(request.args.get("page")), per_page=20)
    return render_template("certificates/company_certificates.html", page=page,
                           today=clock.today(), state_of=service.certificate_state,
                           base_url=credentials.base_url())


def _pdf_response(certificate: Certificate, *, disposition: str, cache: str) -> Response:
    """The stored bytes (never a re-render), revalidated by their sha256 without loading them."""
    if certificate.pdf_sha256 in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(certificate.pdf, mimetype="application/pdf")
    filename = f"pledge-certificate-{certificate.number}.pdf"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    response.set_etag(certificate.pdf_sha256)
    return response


@bp.route("/certificates/<int:certificate_id>/download")
@login_required
def download(certificate_id):
    """Own company or staff only (404 otherwise)."""
    certificate = own_organisation_or_404(
        db.get(Certificate, certificate_id) if certificate_id <= MAX_ID else None)
    return _pdf_response(certificate, disposition="attachment", cache="private, no-cache")


@bp.route("/verify/<verification_id>/certificate.pdf")
@public
def public_pdf(verification_id):
    """Whoever holds the unguessable id (the QR code) may see the original; not once revoked."""
    certificate = _certificate_or_404(verification_id)
    if certificate.revoked_at is not None:
        abort(410)
    return _pdf_response(certificate, disposition="inline", cache="public, no-cache")



@bp.route("/members/<slug>/badge.svg")
@public
@remembered
def badge(slug):
    """Status from the directory's one public-status function; revalidated on every use (ETag)
    so a revocation shows at once without re-sending unchanged badges."""
    from portal.directory.status import public_status
    from portal.organisations.models import Organisation

    organisation = db.execute(
        sa.select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none()
    if organisation is None:
        abort(404)
    status = public_status(db, organisation, clock.today())
    if status.http_status == 404:
        abort(404)
    svg = badge_svg(status.label, status.colour)
    response = Response(svg, mimetype="image/svg+xml", headers={
        "Cache-Control": "public, no-cache", "Access-Control-Allow-Origin": "*"})
    response.set_etag(etag_for(svg))
    return response.make_conditional(request)

from portal.certificates import cli, staff_views  # noqa: E402,F401  (routes and commands)
