"""Signed credentials: Open Badges 3.0 / VC 2.0 secured as VC-JOSE (compact JWS, Ed25519).

The private key lives outside the database and the repository: CREDENTIAL_PRIVATE_JWK (a JWK
JSON string) or the file at CREDENTIAL_KEY_PATH. Development and testing generate one into
instance/; production refuses to start signing without it. Earlier keys stay published beside
it (CREDENTIAL_RETIRED_PUBLIC_JWKS, public parts only) so the credentials they signed keep
verifying after a rotation (docs/deploy.md §8). Revocation is published as a
W3C Bitstring Status List (one bit per certificate, bit 0 the leftmost of the first byte).
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import tempfile
from pathlib import Path

from flask import current_app
from joserfc import jws
from joserfc.jwk import OKPKey

log = logging.getLogger(__name__)

# RFC 9864 "fully specified" name for EdDSA over Ed25519 (plain "EdDSA" is deprecated).
ALGORITHM = "Ed25519"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The spec's minimum size (16 KB uncompressed) so a list never reveals how few entries it has.
STATUS_LIST_BITS = 131_072


class CredentialKeyMissing(RuntimeError):
    pass


def _generate_key_file(path: Path) -> None:
    """Write a new key atomically: concurrent test workers must all end up with the same key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = OKPKey.generate_key("Ed25519", private=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as handle:
        json.dump(key.as_dict(private=True), handle)
        temp_name = handle.name
    os.chmod(temp_name, 0o600)
    try:
        os.link(temp_name, path)  # fails if another process won the race; keep theirs
        log.warning("Generated a development credential signing key in %s", path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temp_name)


def _load_private_key() -> OKPKey:
    config = current_app.config
    if config.get("CREDENTIAL_PRIVATE_JWK"):
        return OKPKey.import_key(json.loads(config["CREDENTIAL_PRIVATE_JWK"]))
    path = Path(config["CREDENTIAL_KEY_PATH"])
    if not path.exists():
        if config["PORTAL_ENV"] == "production":
            raise CredentialKeyMissing(
                "Set CREDENTIAL_PRIVATE_JWK or put an Ed25519 JWK at CREDENTIAL_KEY_PATH")
        _generate_key_file(path)
    return OKPKey.import_key(json.loads(path.read_text()))


def private_key() -> OKPKey:
    """Loaded once per app (and per worker process)."""
    cached = current_app.extensions.get("credential_key")
    if cached is None:
        cached = current_app.extensions["credential_key"] = _load_private_key()
    return cached


class UnknownSigningKey(ValueError):
    """A JWS whose kid names none of the published keys."""


def _published(key: OKPKey) -> dict:
    public = key.as_dict(private=False)
    public.update(kid=key.thumbprint(), alg=ALGORITHM, use="sig")
    return public


def public_jwk() -> dict:
    """The current signing key's public JWK (kid: its RFC 7638 thumbprint)."""
    return _published(private_key())


def retired_keys() -> list[OKPKey]:
    """Keys no longer used to sign but still published (validated by portal.config); the
    current key and repeats are left out."""
    seen = {private_key().thumbprint()}
    keys = []
    for jwk in current_app.config.get("CREDENTIAL_RETIRED_PUBLIC_JWKS") or ():
        key = OKPKey.import_key({name: jwk[name] for name in ("kty", "crv", "x")})
        if key.thumbprint() not in seen:
            seen.add(key.thumbprint())
            keys.append(key)
    return keys


def published_keys() -> list[OKPKey]:
    """Every key a credential of ours may be signed with: the current one first."""
    return [private_key(), *retired_keys()]


def published_jwks() -> dict:
    """The JWK set at /credentials/jwks.json."""
    return {"keys": [_published(key) for key in published_keys()]}


def base_url() -> str:
    return current_app.config["PORTAL_BASE_URL"]


def issuer_id() -> str:
    return f"{base_url()}/credentials/issuer"


def key_id() -> str:
    return f"{issuer_id()}#{private_key().thumbprint()}"


def status_list_url(list_number: int) -> str:
    return f"{base_url()}/credentials/status/{list_number}"


def issuer_profile() -> dict:
    """The Open Badges Profile of the association, published at issuer_id()."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": current_app.config["ASSOCIATION_NAME"],
        "url": base_url(),
        "description": "Issues People Pillar certificates to member companies.",
        "verificationMethod": [
            {"id": f"{issuer_id()}#{key.thumbprint()}", "type": "JsonWebKey",
             "controller": issuer_id(), "publicKeyJwk": _published(key)}
            for key in published_keys()],
    }


def build_credential(values: dict) -> dict:
    """The unsecured OpenBadgeCredential for one certificate's rendered values."""
    index = values["status_list_index"]
    list_url = status_list_url(index // STATUS_LIST_BITS)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base_url()}/verify/{values['verification_id']}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"People Pillar certificate {values['cycle_year']}: {values['company_name']}",
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": values["association_name"]},
        "validFrom": values["issued_at_iso"],
        "validUntil": values["valid_until_iso"],
        "credentialSubject": {
            "id": values["subject_url"],
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": values["company_name"]}],
            "term": str(values["cycle_year"]),
            "achievement": achievement(values["code_version"], values["criteria"]),
        },
        "credentialStatus": {
            "id": f"{list_url}#{index % STATUS_LIST_BITS}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index % STATUS_LIST_BITS),
            "statusListCredential": list_url,
        },
    }


def achievement(code_version: int, criteria: str) -> dict:
    return {
        "id": f"{base_url()}/credentials/achievements/{code_version}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"People Pillar (code version {code_version})",
        "description": "Kept the People Pillar pledge for a reporting cycle: protected "
                       "learning time for every employee and DE&I commitments.",
        "criteria": {"narrative": criteria},
    }


def sign(document: dict) -> str:
    """A compact JWS (typ vc+jwt) whose payload is the credential's JSON."""
    header = {"alg": ALGORITHM, "typ": "vc+jwt", "cty": "vc", "kid": key_id()}
    payload = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return jws.serialize_compact(header, payload, private_key(), algorithms=[ALGORITHM])


def read_signed(token: str) -> dict:
    """Verify a JWS made by sign() with the key its kid names, the current one or a retired
    one; raises UnknownSigningKey for any other kid, BadSignatureError on a bad signature."""
    kid = str(jws.extract_compact(token.encode()).headers().get("kid", ""))
    thumbprint = kid.rsplit("#", 1)[-1]  # an earlier PORTAL_BASE_URL may have been its prefix
    keys = [key for key in published_keys() if key.thumbprint() == thumbprint]
    if not keys:
        raise UnknownSigningKey(f"No published key has the kid {kid!r}")
    public = OKPKey.import_key(_published(keys[0]))
    return json.loads(jws.deserialize_compact(token, public, algorithms=[ALGORITHM]).payload)


def enveloped(token: str) -> dict:
    """VC 2.0's JSON wrapper for a JOSE-secured credential (what credential.json holds)."""
    return {"@context": VC_CONTEXT, "id": f"data:application/vc+jwt,{token}",
            "type": "EnvelopedVerifiableCredential"}


def encode_status_list(revoked_indexes) -> str:
    """Multibase base64url (prefix 'u') of the GZIP-compressed bitstring."""
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def status_list_credential(list_number: int, revoked_indexes, valid_from_iso: str) -> dict:
    url = status_list_url(list_number)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": valid_from_iso,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked_indexes),
        },
    }
