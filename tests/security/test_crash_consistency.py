"""A crash between the steps of a submit or an approval leaves nothing half done.

The crash is a failure raised after the first writes were flushed and before the commit,
which is what a killed worker looks like to the database: the transaction never commits.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from portal.attestations.models import Attestation, AttestationVersion
from portal.audit.models import AuditEvent
from portal.audit.service import verify_chain
from portal.auth.models import StaffRole
from portal.certificates.models import Certificate
from portal.db import get_session
from portal.mail.models import OutboxMail
from portal.signals import attestation_submitted
from tests.attestations.helpers import fill_all_sections
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_cycle,
    create_pledge,
    create_staff,
)

DECLARE = {"confirm": "y", "declaration_name": "Alex Morgan", "declaration_role": "Director"}
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


class WorkerKilled(RuntimeError):
    pass


def _state(app) -> dict:
    with app.app_context():
        session = get_session()

        def count(model, *where):
            return session.execute(sa.select(sa.func.count()).select_from(model).where(
                *where)).scalar_one()

        return {
            "statuses": sorted(session.execute(sa.select(Attestation.status)).scalars()),
            "versions": count(AttestationVersion), "certificates": count(Certificate),
            "mail": count(OutboxMail), "audit": count(AuditEvent),
            "chain_intact": verify_chain(session).is_intact,
        }


def _login(client, login_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = login_id


def test_a_crash_mid_submit_leaves_the_draft_untouched(app, client, frozen_clock):
    frozen_clock(NOW)
    with app.app_context():
        session = get_session()
        organisation, admin = create_company_with_admin(session)
        create_pledge(session, organisation, admin)
        create_cycle(session, 2026)
        login_id = admin.get_id()
    _login(client, login_id)
    fill_all_sections(client)
    before = _state(app)
    assert before["statuses"] == ["draft"]

    def crash(sender, **data):
        raise WorkerKilled("killed after the version and the audit event were written")

    with attestation_submitted.connected_to(crash):
        response = client.submit("/company/attestation/submit", DECLARE,
                                 form_url="/company/attestation/check")
    assert response.status_code == 500  # the friendly error page, never a stack trace
    assert _state(app) == before  # still a draft: no version, no receipt, no audit event

    response = client.submit("/company/attestation/submit", DECLARE,
                             form_url="/company/attestation/check")
    assert response.status_code == 302  # and it can be submitted once the fault is gone
    after = _state(app)
    assert after["statuses"] == ["submitted"] and after["versions"] == 1
    assert after["chain_intact"]


def test_a_crash_while_issuing_the_certificate_leaves_the_attestation_undecided(
        app, client, frozen_clock, monkeypatch):
    from portal.certificates import service as certificates

    frozen_clock(NOW)
    with app.app_context():
        session = get_session()
        organisation, admin = create_company_with_admin(session)
        create_pledge(session, organisation, admin, signed_at=datetime(2025, 3, 1, tzinfo=UTC))
        attestation = create_attestation(session, organisation, create_cycle(session, 2026),
                                         status="submitted", submitted_by=admin,
                                         submitted_at=NOW)
        reviewer = create_staff(session, StaffRole.REVIEWER)
        url, login_id = f"/staff/review/{attestation.id}/approve", reviewer.get_id()
    _login(client, login_id)
    before = _state(app)

    def crash(*args, **kwargs):
        raise WorkerKilled("killed after the certificate row was flushed")

    monkeypatch.setattr(certificates, "notify_company", crash)
    assert client.submit(url, {}).status_code == 500
    assert _state(app) == before  # not approved, no certificate without its PDF, no mail

    monkeypatch.undo()
    assert client.submit(url, {}).status_code == 302
    after = _state(app)
    assert after["statuses"] == ["approved"] and after["certificates"] == 1
    with app.app_context():
        certificate = get_session().execute(sa.select(Certificate)).scalar_one()
        assert certificate.pdf.startswith(b"%PDF") and certificate.pdf_sha256
