"""Rotating the credential signing key (docs/deploy.md §8): a retired key stays published, so
the credentials it signed keep verifying, while new ones are signed with the new key."""

from __future__ import annotations

import json

import pytest
from joserfc.jwk import OKPKey

from portal.attestations.models import ReportingCycle
from portal.certificates import credentials
from tests.certificates.helpers import issue_for_new_company
from tests.certificates.test_credentials import (
    NotVerified,
    b64url_decode,
    download_enveloped,
    verify_credential,
    verify_jws,
)


def use_signing_key(app, monkeypatch, key: OKPKey, retired=()) -> None:
    """Configure the app as an operator would, and drop the loaded key so the new one loads."""
    monkeypatch.setitem(app.config, "CREDENTIAL_PRIVATE_JWK",
                        json.dumps(key.as_dict(private=True)))
    monkeypatch.setitem(app.config, "CREDENTIAL_RETIRED_PUBLIC_JWKS", tuple(retired))
    monkeypatch.setitem(app.extensions, "credential_key", None)


def print_public_key(app) -> dict:
    # `flask` pushes an app context for every command; the test runner needs one.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["portal", "credential-public-key"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1  # one line, to append to the setting
    return json.loads(result.output)


def token_of(enveloped: dict) -> str:
    return enveloped["id"].split(",", 1)[1]


def header_of(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


@pytest.fixture
def keys():
    return (OKPKey.generate_key("Ed25519", private=True),
            OKPKey.generate_key("Ed25519", private=True))


def test_credentials_signed_before_a_rotation_keep_verifying(app, db, client, monkeypatch,
                                                             keys):
    old, new = keys
    use_signing_key(app, monkeypatch, old)
    certificate, _ = issue_for_new_company(db)
    old_token = token_of(download_enveloped(client, certificate))
    assert header_of(old_token)["kid"] == (f"http://localhost/credentials/issuer#"
                                           f"{old.thumbprint()}")

    old_public = print_public_key(app)
    assert "d" not in old_public and old_public["kid"] == old.thumbprint()
    use_signing_key(app, monkeypatch, new, retired=[old_public])

    published = client.get("/credentials/jwks.json").json["keys"]
    assert [key["kid"] for key in published] == [new.thumbprint(), old.thumbprint()]
    for key in published:
        assert (key["kty"], key["crv"], key["alg"], key["use"]) == (
            "OKP", "Ed25519", credentials.ALGORITHM, "sig")
        assert "d" not in key
    assert published[1]["x"] == old.as_dict(private=False)["x"]

    # A relying party finds the old key by the credential's kid; the status list (signed
    # now, with the new key) verifies too.
    credential = verify_credential(client, download_enveloped(client, certificate))
    assert credential["id"].endswith(certificate.verification_id)
    with app.app_context():
        assert credentials.read_signed(old_token)["id"] == credential["id"]

    newer, _ = issue_for_new_company(db, "Newer Ltd",
                                     cycle=db.get(ReportingCycle, certificate.cycle_id))
    new_token = token_of(download_enveloped(client, newer))
    assert header_of(new_token)["kid"].endswith("#" + new.thumbprint())
    only_new = {"keys": [published[0]]}
    assert verify_jws(new_token, only_new)["id"].endswith(newer.verification_id)
    with pytest.raises(NotVerified, match="no matching"):
        verify_jws(old_token, only_new)
    verify_credential(client, download_enveloped(client, newer))

    issuer = client.get("/credentials/issuer").json
    methods = issuer["verificationMethod"]
    assert [method["id"] for method in methods] == [
        f"http://localhost/credentials/issuer#{key.thumbprint()}" for key in (new, old)]
    assert [method["publicKeyJwk"] for method in methods] == published
    assert all(method["controller"] == issuer["id"] for method in methods)


def test_a_key_no_longer_published_no_longer_verifies(app, db, client, monkeypatch, keys):
    old, new = keys
    use_signing_key(app, monkeypatch, old)
    certificate, _ = issue_for_new_company(db)
    old_token = token_of(download_enveloped(client, certificate))
    use_signing_key(app, monkeypatch, new)  # switched without keeping the old key published

    assert [key["kid"] for key in client.get("/credentials/jwks.json").json["keys"]] == [
        new.thumbprint()]
    with pytest.raises(NotVerified, match="no matching"):
        verify_credential(client, download_enveloped(client, certificate))
    with app.app_context(), pytest.raises(credentials.UnknownSigningKey):
        credentials.read_signed(old_token)


def test_the_current_key_and_repeats_are_published_once(app, client, monkeypatch, keys):
    old, new = keys
    old_public = old.as_dict(private=False)
    new_public = new.as_dict(private=False)
    use_signing_key(app, monkeypatch, new, retired=[old_public, new_public, old_public])
    published = client.get("/credentials/jwks.json").json["keys"]
    assert [key["kid"] for key in published] == [new.thumbprint(), old.thumbprint()]
    assert len(client.get("/credentials/issuer").json["verificationMethod"]) == 2


def test_a_token_signed_by_a_stranger_with_our_kid_is_refused(app, monkeypatch, keys):
    from joserfc import jws
    from joserfc.errors import BadSignatureError

    ours, stranger = keys
    use_signing_key(app, monkeypatch, ours)
    with app.app_context():
        header = {"alg": credentials.ALGORITHM, "typ": "vc+jwt", "kid": credentials.key_id()}
        forged = jws.serialize_compact(header, b'{"id": "forged"}', stranger,
                                       algorithms=[credentials.ALGORITHM])
        with pytest.raises(BadSignatureError):
            credentials.read_signed(forged)
        assert credentials.read_signed(credentials.sign({"id": "genuine"})) == {"id": "genuine"}


def test_the_printed_public_key_is_accepted_as_a_retired_key(app, monkeypatch, keys):
    from portal.config import retired_public_jwks

    use_signing_key(app, monkeypatch, keys[0])
    printed = print_public_key(app)
    assert set(printed) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert retired_public_jwks(json.dumps([printed])) == (printed,)
