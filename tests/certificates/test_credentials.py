"""The signed credential, checked by a verifier written only against the specs and the
published public key (RFC 7515 compact JWS, RFC 8037 OKP keys, VC 2.0, Bitstring Status List)
— it does not use joserfc or any portal code."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from portal.attestations.models import ReportingCycle
from portal.auth.models import StaffRole
from portal.certificates.service import confirm_revocation, request_revocation
from tests.certificates.helpers import issue_for_new_company
from tests.factories import create_staff


class NotVerified(Exception):
    pass


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_jws(token: str, jwks: dict) -> dict:
    """RFC 7515 §5.2 for a compact JWS signed with Ed25519; returns the payload JSON."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
    except ValueError as error:
        raise NotVerified("not a compact JWS") from error
    header = json.loads(b64url_decode(header_b64))
    if header.get("alg") not in ("Ed25519", "EdDSA"):
        raise NotVerified(f"unexpected alg {header.get('alg')}")
    thumbprint = header.get("kid", "").rsplit("#", 1)[-1]
    keys = [k for k in jwks["keys"] if k.get("kid") == thumbprint]
    if not keys or keys[0]["kty"] != "OKP" or keys[0]["crv"] != "Ed25519":
        raise NotVerified("no matching Ed25519 key")
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(keys[0]["x"]))
    try:
        public.verify(b64url_decode(signature_b64), f"{header_b64}.{payload_b64}".encode())
    except InvalidSignature as error:
        raise NotVerified("bad signature") from error
    return json.loads(b64url_decode(payload_b64))


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def verify_credential(client, enveloped: dict) -> dict:
    """Signature, validity window shape and revocation status, as a relying party would."""
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    media, token = enveloped["id"].removeprefix("data:").split(",", 1)
    assert media == "application/vc+jwt"
    jwks = client.get("/credentials/jwks.json").json
    credential = verify_jws(token, jwks)
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    status_token = client.get(path_of(status["statusListCredential"])).get_data(as_text=True)
    status_list = verify_jws(status_token, jwks)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    bits = gzip.decompress(b64url_decode(encoded[1:]))
    assert len(bits) * 8 >= 131_072
    index = int(status["statusListIndex"])
    if bits[index // 8] & (0x80 >> (index % 8)):
        raise NotVerified("revoked")
    return credential


def download_enveloped(client, certificate) -> dict:
    return client.get(f"/verify/{certificate.verification_id}/credential.json").json


def test_credential_verifies_and_describes_the_certificate(app, db, client):
    certificate, _ = issue_for_new_company(db)
    credential = verify_credential(client, download_enveloped(client, certificate))
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["issuer"]["id"] == "http://localhost/credentials/issuer"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == "Acme Learning Ltd"
    assert subject["achievement"]["type"] == ["Achievement"]
    assert "Protected learning time" in subject["achievement"]["criteria"]["narrative"]
    assert credential["validFrom"].endswith("Z") and credential["validUntil"].endswith("Z")
    assert credential["id"].endswith(certificate.verification_id)


def test_a_tampered_credential_fails(app, db, client):
    certificate, _ = issue_for_new_company(db)
    enveloped = download_enveloped(client, certificate)
    header, payload, signature = enveloped["id"].split(",", 1)[1].split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Forged Ltd"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    enveloped["id"] = f"data:application/vc+jwt,{header}.{forged}.{signature}"
    with pytest.raises(NotVerified, match="bad signature"):
        verify_credential(client, enveloped)


def test_a_revoked_credential_fails_through_the_status_list(app, db, client):
    certificate, _ = issue_for_new_company(db)
    other, _ = issue_for_new_company(
        db, "Other Ltd", cycle=db.get(ReportingCycle, certificate.cycle_id))
    first_admin, second_admin = create_staff(db, StaffRole.ADMIN), create_staff(
        db, StaffRole.ADMIN)
    request_revocation(db, certificate, first_admin, "Evidence check failed")
    db.commit()
    verify_credential(client, download_enveloped(client, certificate))  # not yet confirmed
    confirm_revocation(db, certificate, second_admin)
    db.commit()
    with pytest.raises(NotVerified, match="revoked"):
        verify_credential(client, download_enveloped(client, certificate))
    verify_credential(client, download_enveloped(client, other))  # its neighbour is untouched


def test_signing_key_sources(app, monkeypatch, tmp_path):
    from joserfc.jwk import OKPKey

    from portal.certificates import credentials

    key = OKPKey.generate_key("Ed25519", private=True)
    key_file = tmp_path / "credential_key.json"
    with app.app_context():
        monkeypatch.setitem(app.config, "CREDENTIAL_PRIVATE_JWK",
                            json.dumps(key.as_dict(private=True)))
        assert credentials._load_private_key().thumbprint() == key.thumbprint()

        monkeypatch.setitem(app.config, "CREDENTIAL_PRIVATE_JWK", "")
        monkeypatch.setitem(app.config, "CREDENTIAL_KEY_PATH", str(key_file))
        monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
        with pytest.raises(credentials.CredentialKeyMissing):
            credentials._load_private_key()
        assert not key_file.exists()

        monkeypatch.setitem(app.config, "PORTAL_ENV", "development")
        generated = credentials._load_private_key()
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert credentials._load_private_key().thumbprint() == generated.thumbprint()
