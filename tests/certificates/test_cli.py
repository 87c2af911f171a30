"""`portal issue-certificates --cycle YYYY` fills in missing certificates in a process pool."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from portal.certificates.models import Certificate
from portal.certificates.numbering import parse_number
from portal.certificates.service import issue_certificate
from tests.factories import create_attestation, create_company, create_cycle


def test_issues_only_missing_certificates_using_a_pool(app, db):
    cycle = create_cycle(db, 2026)
    approved = [create_attestation(db, create_company(db), cycle, status="approved")
                for _ in range(10)]
    create_attestation(db, create_company(db), cycle, status="submitted")
    already = issue_certificate(db, approved[0], None)
    already.revoked_at = already.issued_at  # revocation is final: no new one by batch
    db.commit()

    result = app.test_cli_runner().invoke(
        args=["portal", "issue-certificates", "--cycle", "2026", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Issued 9 certificates for cycle 2026" in result.output

    rows = db.execute(sa.select(Certificate).order_by(Certificate.id)).scalars().all()
    assert [row.attestation_id for row in rows] == [a.id for a in approved]
    assert rows[0].id == already.id
    assert [row.sequence for row in rows] == list(range(1, 11))
    assert len({row.status_list_index for row in rows}) == 10
    for row in rows:
        assert parse_number(row.number).canonical == row.number
        assert hashlib.sha256(row.pdf).hexdigest() == row.pdf_sha256
        assert row.credential_jws.count(".") == 2

    again = app.test_cli_runner().invoke(
        args=["portal", "issue-certificates", "--cycle", "2026", "--workers", "1"])
    assert "Issued 0 certificates" in again.output


def test_unknown_cycle_is_an_error(app, db):
    # `flask` pushes an app context for every command; the test runner needs one (db does).
    result = app.test_cli_runner().invoke(
        args=["portal", "issue-certificates", "--cycle", "1999"])
    assert result.exit_code != 0 and "There is no reporting cycle 1999" in result.output


def test_generate_credential_key_prints_a_private_jwk(app):
    import json

    result = app.test_cli_runner().invoke(args=["portal", "generate-credential-key"])
    key = json.loads(result.output)
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["d"] and key["x"]
