"""Issuing, states, revocation (two-person rule) and re-issue. Functions only flush."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import Attestation, ReportingCycle
from portal.audit.service import record
from portal.auth.models import OrgRole, User
from portal.certificates import render
from portal.certificates.models import Certificate
from portal.certificates.numbering import format_number
from portal.mail.service import queue_mail
from portal.pledges.models import CodeVersion
from portal.pledges.service import active_pledge, current_code_version


class CertificateError(ValueError):
    """A state change that the certificate's state does not allow (message for the user)."""


def certificate_state(certificate: Certificate, today: date) -> str:
    """'revoked' beats 'superseded' beats 'expired': the strongest reason not to rely on it."""
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.superseded_by_id is not None:
        return "superseded"
    if today > certificate.valid_until:
        return "expired"
    return "valid"


def _usable():
    return sa.and_(Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None))


def valid_certificate_for(db: Session, organisation_id: int, today: date) -> Certificate | None:
    """The company's newest certificate that is issued, not revoked, replaced or expired."""
    return db.execute(
        sa.select(Certificate).join(ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
        .where(Certificate.organisation_id == organisation_id, _usable(),
               Certificate.valid_until >= today)
        .order_by(ReportingCycle.year.desc(), Certificate.issued_at.desc()).limit(1)
    ).scalar_one_or_none()


def valid_until_for(db: Session, cycle: ReportingCycle) -> date:
    """The next cycle's grace date (time to report again), else 31 December next year."""
    next_grace = db.execute(
        sa.select(ReportingCycle.grace_until).where(ReportingCycle.year == cycle.year + 1)
    ).scalar_one_or_none()
    return next_grace or date(cycle.year + 1, 12, 31)


NUMBERING_LOCK = 0x5050_0006  # "PP", issue 6: any constant shared by every issuer


def lock_numbering(db: Session) -> None:
    """Serialise number allocation until commit, so two approvals at the same moment never
    pick the same next number. SQLite already allows one writer at a time; on PostgreSQL a
    transaction-scoped advisory lock does it (the unique constraints stay the last guard)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(sa.select(sa.func.pg_advisory_xact_lock(NUMBERING_LOCK)))


def next_sequence(db: Session, year: int) -> int:
    # The unique number makes a concurrent duplicate fail at commit rather than pass silently.
    prefix = f"PP-{year:04d}-%"
    highest = db.execute(
        sa.select(sa.func.max(Certificate.sequence)).where(Certificate.number.like(prefix))
    ).scalar()
    return (highest or 0) + 1


def next_status_index(db: Session) -> int:
    highest = db.execute(sa.select(sa.func.max(Certificate.status_list_index))).scalar()
    return 0 if highest is None else highest + 1


def _code_version(db: Session, organisation_id: int) -> CodeVersion:
    pledge = active_pledge(db, organisation_id)
    return pledge.code_version if pledge else current_code_version(db)


def iso_utc(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def criteria_text(commitments: list) -> str:
    return "\n".join(f"{n}. {c['heading']}: {c['body']}"
                     for n, c in enumerate(commitments, start=1))


def certificate_values(db: Session, attestation: Attestation, *, sequence: int,
                       status_list_index: int, verification_id: str, issued_at,
                       version: CodeVersion | None = None,
                       valid_until: date | None = None) -> dict:
    """Every value the PDF and the credential show, as plain JSON-able data.

    version and valid_until may be given by bulk callers that already know them."""
    from portal.templating import format_date

    organisation, cycle = attestation.organisation, attestation.cycle
    version = version or _code_version(db, organisation.id)
    valid_until = valid_until or valid_until_for(db, cycle)
    base = current_app.config["PORTAL_BASE_URL"]
    return {
        "number": format_number(cycle.year, sequence), "sequence": sequence,
        "verification_id": verification_id, "status_list_index": status_list_index,
        "company_name": organisation.name, "organisation_slug": organisation.slug,
        "subject_url": f"{base}/members/{organisation.slug}",
        "cycle_year": cycle.year, "code_version": version.number,
        "code_version_id": version.id,
        "criteria": criteria_text(version.commitments),
        "association_name": current_app.config["ASSOCIATION_NAME"],
        "issued_at_iso": iso_utc(issued_at), "issued_on_text": format_date(issued_at),
        "valid_until": valid_until.isoformat(), "valid_until_text": format_date(valid_until),
        "valid_until_iso": iso_utc(clock.end_of_day(valid_until)),
        "verification_url": f"{base}/verify/{verification_id}",
        "verify_url_text": f"{base}/verify".split("://", 1)[-1],
    }


def new_certificate(db: Session, attestation: Attestation, *, sequence: int | None = None,
                    status_list_index: int | None = None,
                    **known) -> tuple[Certificate, dict]:
    """Allocate number, status bit and verification id; the PDF is attached by the caller."""
    lock_numbering(db)
    sequence = sequence or next_sequence(db, attestation.cycle.year)
    index = next_status_index(db) if status_list_index is None else status_list_index
    issued_at = known.pop("issued_at", None) or clock.now()  # demos back-date one
    values = certificate_values(db, attestation, sequence=sequence, status_list_index=index,
                                verification_id=secrets.token_urlsafe(18), issued_at=issued_at,
                                **known)
    certificate = Certificate(
        number=values["number"], sequence=sequence, verification_id=values["verification_id"],
        organisation_id=attestation.organisation_id, attestation_id=attestation.id,
        cycle_id=attestation.cycle_id, code_version_id=values["code_version_id"],
        status_list_index=index, issued_at=issued_at,
        valid_until=date.fromisoformat(values["valid_until"]), rendered_values=values,
        template_version=render.template_version(),
        weasyprint_version=render.weasyprint_version(),
    )
    return certificate, values


def attach_rendering(certificate: Certificate, pdf: bytes, token: str) -> None:
    certificate.pdf = pdf
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.credential_jws = token


def current_certificate_for_attestation(db: Session, attestation_id: int) -> Certificate | None:
    return db.execute(
        sa.select(Certificate).where(Certificate.attestation_id == attestation_id, _usable())
    ).scalars().first()


def issue_certificate(db: Session, attestation: Attestation, actor) -> Certificate:
    """Create, render and store the certificate for an approved attestation (idempotent)."""
    existing = current_certificate_for_attestation(db, attestation.id)
    if existing is not None:
        return existing
    certificate, values = new_certificate(db, attestation)
    attach_rendering(certificate, *render.render_certificate(values))
    db.add(certificate)
    db.flush()
    record(db, "certificate_issued", actor=actor, obj=certificate,
           organisation_id=certificate.organisation_id,
           detail={"number": certificate.number, "cycle": attestation.cycle.year,
                   "pdf_sha256": certificate.pdf_sha256})
    notify_company(db, certificate, "certificate_issued",
                   f"Your People Pillar certificate {certificate.number}")
    return certificate


def company_admins(db: Session, organisation_id: int) -> list[User]:
    return list(db.execute(
        sa.select(User).where(User.organisation_id == organisation_id,
                              User.org_role == OrgRole.ADMIN, User.disabled_at.is_(None))
        .order_by(User.id)
    ).scalars())


def notify_company(db: Session, certificate: Certificate, kind: str, subject: str,
                   reason: str | None = None) -> None:
    base = current_app.config["PORTAL_BASE_URL"]
    values = certificate.rendered_values
    for admin in company_admins(db, certificate.organisation_id):
        queue_mail(
            db, kind, admin.email, subject,
            {"recipient_name": admin.name, "certificate": values,
             "reason": reason,
             "verification_url": values["verification_url"],
             "certificates_url": f"{base}/company/certificates"},
            dedupe_key=f"{kind}:{values['cycle_year']}:{certificate.organisation_id}:"
                       f"{admin.id}:{certificate.number}",
            user_id=admin.id, organisation_id=certificate.organisation_id,
        )


def find_by_verification_id(db: Session, verification_id: str) -> Certificate | None:
    return db.execute(
        sa.select(Certificate).where(Certificate.verification_id == verification_id)
    ).scalar_one_or_none()


def find_by_number(db: Session, number: str) -> Certificate | None:
    return db.execute(
        sa.select(Certificate).where(Certificate.number == number)
    ).scalar_one_or_none()


def request_revocation(db: Session, certificate: Certificate, actor: User, reason: str) -> None:
    """The first staff admin's half of the two-person rule: nothing public changes yet."""
    if certificate.revoked_at is not None:
        raise CertificateError("This certificate is already revoked")
    if certificate.revocation_requested_at is not None:
        raise CertificateError("A revocation is already waiting for confirmation")
    certificate.revocation_requested_at = clock.now()
    certificate.revocation_requested_by_id = actor.id
    certificate.revocation_reason = reason
    db.flush()
    record(db, "certificate_revocation_requested", actor=actor, obj=certificate,
           organisation_id=certificate.organisation_id,
           detail={"number": certificate.number, "reason": reason})


def cancel_revocation(db: Session, certificate: Certificate, actor: User) -> None:
    if certificate.revoked_at is not None or certificate.revocation_requested_at is None:
        raise CertificateError("There is no revocation waiting for confirmation")
    certificate.revocation_requested_at = None
    certificate.revocation_requested_by_id = None
    certificate.revocation_reason = None
    db.flush()
    record(db, "certificate_revocation_cancelled", actor=actor, obj=certificate,
           organisation_id=certificate.organisation_id, detail={"number": certificate.number})


def confirm_revocation(db: Session, certificate: Certificate, actor: User) -> None:
    """A second staff admin confirms: the page, status list and badge change at once."""
    if certificate.revoked_at is not None:
        raise CertificateError("This certificate is already revoked")
    if certificate.revocation_requested_at is None:
        raise CertificateError("There is no revocation waiting for confirmation")
    if certificate.revocation_requested_by_id == actor.id:
        raise CertificateError("A different staff admin must confirm this revocation")
    certificate.revoked_at = clock.now()
    certificate.revoked_by_id = certificate.revocation_requested_by_id
    certificate.revocation_confirmed_by_id = actor.id
    db.flush()
    record(db, "certificate_revoked", actor=actor, obj=certificate,
           organisation_id=certificate.organisation_id,
           detail={"number": certificate.number, "reason": certificate.revocation_reason,
                   "requested_by_id": certificate.revocation_requested_by_id})
    notify_company(db, certificate, "certificate_revoked",
                   f"Certificate {certificate.number} has been revoked",
                   reason=certificate.revocation_reason)


def reissue_certificate(db: Session, certificate: Certificate, actor: User,
                        reason: str) -> Certificate:
    """Issue a fresh certificate (today's company name) and mark the old one Superseded."""
    if certificate.revoked_at is not None or certificate.superseded_by_id is not None:
        raise CertificateError("Only a current certificate can be replaced")
    if certificate.revocation_requested_at is not None:
        raise CertificateError("A revocation is waiting for confirmation: confirm or cancel "
                               "it before replacing the certificate")
    attestation = db.get(Attestation, certificate.attestation_id)
    replacement, values = new_certificate(db, attestation)
    attach_rendering(replacement, *render.render_certificate(values))
    db.add(replacement)
    db.flush()
    certificate.superseded_by_id = replacement.id
    certificate.superseded_at = clock.now()
    certificate.supersede_reason = reason
    db.flush()
    record(db, "certificate_reissued", actor=actor, obj=replacement,
           organisation_id=certificate.organisation_id,
           detail={"number": replacement.number, "replaces": certificate.number,
                   "reason": reason, "pdf_sha256": replacement.pdf_sha256})
    notify_company(db, certificate, "certificate_reissued",
                   f"Certificate {certificate.number} has been replaced", reason=reason)
    return replacement


def revoked_indexes(db: Session, list_number: int, list_size: int) -> list[int]:
    """Positions (within one status list) of revoked certificates."""
    first = list_number * list_size
    rows = db.execute(
        sa.select(Certificate.status_list_index).where(
            Certificate.revoked_at.is_not(None),
            Certificate.status_list_index >= first,
            Certificate.status_list_index < first + list_size)
    ).scalars()
    return [index - first for index in rows]


def status_list_exists(db: Session, list_number: int, list_size: int) -> bool:
    highest = db.execute(sa.select(sa.func.max(Certificate.status_list_index))).scalar()
    return list_number == 0 or (highest is not None and highest >= list_number * list_size)


def certificates_query(organisation_id: int | None = None) -> sa.Select:
    query = sa.select(Certificate).join(
        ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
    if organisation_id is not None:
        query = query.where(Certificate.organisation_id == organisation_id)
    return query.order_by(ReportingCycle.year.desc(), Certificate.issued_at.desc(),
                          Certificate.id.desc())
