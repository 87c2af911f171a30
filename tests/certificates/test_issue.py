"""issue_certificate: the contract the review calls on approval."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import sqlalchemy as sa
from pypdf import PdfReader

from portal.audit.models import AuditEvent
from portal.certificates.models import Certificate
from portal.certificates.numbering import is_damm_valid
from portal.certificates.service import (
    certificate_state,
    issue_certificate,
    valid_certificate_for,
)
from portal.mail.models import OutboxMail
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_cycle,
    create_pledge,
    create_staff,
)


def approved(db, name="Acme Learning Ltd", year=2026):
    organisation, admin = create_company_with_admin(db, name)
    create_pledge(db, organisation, admin)
    cycle = create_cycle(db, year)
    return create_attestation(db, organisation, cycle, status="approved"), admin


def test_issue_stores_pdf_number_and_audit(app, db, frozen_clock):
    frozen_clock(date(2026, 9, 1))
    attestation, admin = approved(db)
    reviewer = create_staff(db)
    certificate = issue_certificate(db, attestation, reviewer)
    db.commit()

    assert certificate.number == "PP-2026-000001-" + certificate.number[-1]
    assert is_damm_valid(certificate.number.replace("PP-", "").replace("-", ""))
    assert len(certificate.verification_id) >= 24
    assert certificate.valid_until == date(2027, 12, 31)
    assert certificate.pdf_sha256 == hashlib.sha256(certificate.pdf).hexdigest()
    reader = PdfReader(io.BytesIO(certificate.pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Acme Learning Ltd" in text and certificate.number in text
    attached = json.loads(reader.attachments["credential.json"][0])
    assert attached["type"] == "EnvelopedVerifiableCredential"
    assert attached["id"].startswith("data:application/vc+jwt,ey")
    assert certificate.rendered_values["company_name"] == "Acme Learning Ltd"

    event = db.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "certificate_issued")).scalar_one()
    assert event.actor_id == reviewer.id and event.detail["number"] == certificate.number
    mails = db.execute(sa.select(OutboxMail).where(
        OutboxMail.kind == "certificate_issued")).scalars().all()
    assert [m.to_addr for m in mails] == [admin.email]
    assert certificate.number in mails[0].text_body


def test_issue_twice_returns_the_same_certificate(app, db):
    attestation, _admin = approved(db)
    first = issue_certificate(db, attestation, None)
    db.commit()
    again = issue_certificate(db, attestation, None)
    assert again.id == first.id
    assert db.execute(sa.select(sa.func.count(Certificate.id))).scalar() == 1


def test_numbers_count_up_per_year_and_validity_follows_next_cycle(app, db, frozen_clock):
    frozen_clock(date(2026, 9, 1))
    create_cycle(db, 2027, grace_until=date(2027, 11, 30))
    first, _ = approved(db, "First Ltd")
    second_org_attestation = create_attestation(
        db, create_company_with_admin(db, "Second Ltd")[0], first.cycle, status="approved")
    one = issue_certificate(db, first, None)
    two = issue_certificate(db, second_org_attestation, None)
    db.commit()
    assert one.number.startswith("PP-2026-000001-") and two.number.startswith("PP-2026-000002-")
    assert one.status_list_index != two.status_list_index
    assert one.valid_until == date(2027, 11, 30)


def test_states_and_valid_certificate_for(app, db, frozen_clock):
    frozen_clock(date(2026, 9, 1))
    attestation, _admin = approved(db)
    certificate = issue_certificate(db, attestation, None)
    db.commit()
    org_id = attestation.organisation_id
    assert certificate_state(certificate, date(2026, 9, 1)) == "valid"
    assert certificate_state(certificate, date(2027, 12, 31)) == "valid"
    assert certificate_state(certificate, date(2028, 1, 1)) == "expired"
    assert valid_certificate_for(db, org_id, date(2026, 9, 1)).id == certificate.id
    assert valid_certificate_for(db, org_id, date(2028, 1, 1)) is None
    certificate.superseded_by_id = certificate.id
    assert certificate_state(certificate, date(2026, 9, 1)) == "superseded"
    certificate.revoked_at = certificate.issued_at
    assert certificate_state(certificate, date(2026, 9, 1)) == "revoked"
    db.flush()
    assert valid_certificate_for(db, org_id, date(2026, 9, 1)) is None
