"""Everything the portal holds about one company, as JSON plus its files, in one zip.

Staff-internal material (internal review notes, risk flags, sampling notes), secrets (password
hashes, token hashes, 2FA secrets) and mail bodies (they carry live sign-in links) stay out.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import Attestation, AttestationVersion, EvidenceBlob, EvidenceFile
from portal.audit.models import AuditEvent
from portal.auth.models import Invitation, User
from portal.certificates.models import Certificate
from portal.mail.models import OutboxMail
from portal.organisations.models import Organisation
from portal.pledges.models import Pledge
from portal.review.models import Review

LEFT_OUT = {
    "password_hash", "totp_secret", "totp_last_step", "recovery_codes", "session_version",
    "token_sha256", "text_body", "html_body", "headers", "personal", "internal_note", "pdf",
    "data", "ip_address", "user_agent", "pending_email",
}
README = """Pledge Portal data export for {name}
Exported {at} (UTC).

company.json  every record the portal holds about the company, one list per kind
evidence/     the evidence files uploaded with attestations, as uploaded
certificates/ the certificate PDFs, byte for byte as issued (check them at /verify)

Left out on purpose: staff-internal review notes and risk flags, password and token hashes,
and the bodies of emails (they contained sign-in links).
"""


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _row(obj) -> dict:
    columns = sa.inspect(obj).mapper.column_attrs
    return {c.key: _value(getattr(obj, c.key)) for c in columns if c.key not in LEFT_OUT}


def _rows(db: Session, model, *conditions) -> list:
    return list(db.execute(sa.select(model).where(*conditions).order_by(model.id)).scalars())


def company_records(db: Session, organisation: Organisation) -> dict[str, list]:
    org_id = organisation.id
    attestations = _rows(db, Attestation, Attestation.organisation_id == org_id)
    ids = [a.id for a in attestations]
    return {
        "organisation": [organisation],
        "people": _rows(db, User, User.organisation_id == org_id),
        "invitations": _rows(db, Invitation, Invitation.organisation_id == org_id),
        "pledges": _rows(db, Pledge, Pledge.organisation_id == org_id),
        "attestations": attestations,
        "attestation_versions": _rows(db, AttestationVersion,
                                      AttestationVersion.attestation_id.in_(ids)),
        "evidence_files": _rows(db, EvidenceFile, EvidenceFile.attestation_id.in_(ids)),
        "reviews": _rows(db, Review, Review.attestation_id.in_(ids)),
        "certificates": _rows(db, Certificate, Certificate.organisation_id == org_id),
        "mail_sent": _rows(db, OutboxMail, OutboxMail.organisation_id == org_id),
        "audit_events": _rows(db, AuditEvent, AuditEvent.organisation_id == org_id),
    }


def build_export(db: Session, organisation: Organisation):
    """A file object holding the zip (spooled to disk past 20 MB), positioned at its start."""
    records = company_records(db, organisation)
    document = {"exported_at": clock.now().isoformat(),
                **{kind: [_row(obj) for obj in objs] for kind, objs in records.items()}}
    spool = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(name=organisation.name,
                                                     at=document["exported_at"]))
        archive.writestr("company.json", json.dumps(document, indent=2, ensure_ascii=False,
                                                    default=str))
        for evidence in records["evidence_files"]:
            blob = db.execute(sa.select(EvidenceBlob.data).where(
                EvidenceBlob.evidence_file_id == evidence.id)).scalar_one_or_none()
            if blob is not None:
                archive.writestr(f"evidence/{evidence.id}-{_safe(evidence.filename)}", blob)
        for certificate in records["certificates"]:
            archive.writestr(f"certificates/{_safe(certificate.number)}.pdf", certificate.pdf)
    spool.seek(0)
    return spool


def _safe(name: str) -> str:
    """A file name that stays inside its folder whatever was uploaded."""
    cleaned = "".join(c if c.isalnum() or c in "-_. " else "_" for c in name).strip(". ")
    return cleaned[:120] or "file"
