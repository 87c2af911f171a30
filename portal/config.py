"""Configuration: the only module that reads os.environ."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
ENVIRONMENTS = ("production", "development", "testing")


class ConfigError(RuntimeError):
    """Raised when production is started without the settings it needs."""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for every PostgreSQL URL (Heroku-style and bare postgresql:// alike)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret() -> str:
    """A per-install secret kept in instance/ so development sessions survive restarts."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        log.warning("Generated a development SECRET_KEY in %s", path)
    return path.read_text().strip()


def positive_int(env, name: str, default: int, *, minimum: int = 1) -> int:
    """A whole number of at least `minimum` from the environment, or ConfigError naming it."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ConfigError(f"{name} must be a whole number, {minimum} or more (it is {raw!r})")
    return value


RETIRED_JWKS = "CREDENTIAL_RETIRED_PUBLIC_JWKS"


def _b64url_bytes(text) -> bytes | None:
    if not isinstance(text, str) or not text or "=" in text:
        return None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def retired_public_jwks(raw: str) -> tuple[dict, ...]:
    """CREDENTIAL_RETIRED_PUBLIC_JWKS: public Ed25519 JWKs no longer used to sign but still
    published, so credentials they signed keep verifying (docs/deploy.md §8). A JSON array of
    JWKs or a JWK set ({"keys": [...]}); empty means none. Never echoes a key's values."""
    if not raw.strip():
        return ()
    try:
        document = json.loads(raw)
    except ValueError as error:
        where = (f" (line {error.lineno}, column {error.colno}: {error.msg})"
                 if isinstance(error, json.JSONDecodeError) else "")
        raise ConfigError(f"{RETIRED_JWKS} is not valid JSON{where}") from None
    if isinstance(document, dict) and "keys" in document:
        document = document["keys"]
    if not isinstance(document, list):
        raise ConfigError(f'{RETIRED_JWKS} must be a JSON array of public JWKs or a JWK set '
                          f'{{"keys": [...]}}')
    keys = []
    for number, key in enumerate(document, start=1):
        which = f"{RETIRED_JWKS} key {number}"
        if not isinstance(key, dict):
            raise ConfigError(f"{which} is not a JWK (a JSON object)")
        if "d" in key:
            raise ConfigError(f'{which} holds a private key ("d"): publish only the public '
                              f"part (flask --app portal portal credential-public-key prints it)")
        if key.get("kty") != "OKP" or key.get("crv") != "Ed25519":
            raise ConfigError(f'{which} must be an Ed25519 key ("kty": "OKP", '
                              f'"crv": "Ed25519")')
        x = _b64url_bytes(key.get("x"))
        if x is None or len(x) != 32:
            raise ConfigError(f'{which} needs "x": the 32-byte public key, base64url-encoded')
        keys.append(key)
    return tuple(keys)


def load_config(overrides: dict | None = None) -> dict:
    env = os.environ
    portal_env = (overrides or {}).get("PORTAL_ENV") or env.get("PORTAL_ENV", "production")
    if portal_env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}")
    is_production = portal_env == "production"
    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if is_production and not (overrides or {}).get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY must be set in production")
        secret_key = "testing-secret" if portal_env == "testing" else _development_secret()
    default_db = f"sqlite:///{INSTANCE_DIR / 'portal.db'}"
    config = {
        "PORTAL_ENV": portal_env,
        "TESTING": portal_env == "testing",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": normalise_database_url(env.get("DATABASE_URL", default_db)),
        "MAIL_URL": env.get("MAIL_URL", "" if is_production else "file"),
        "MAIL_FROM": env.get("MAIL_FROM", "Pledge Portal <no-reply@pledgeportal.example>"),
        "MAIL_DIR": str(INSTANCE_DIR / "mail"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": True,
        # Several sites (or test runs) can share one Redis without sharing counters.
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "pledge-portal"),
        "PORTAL_BASE_URL": env.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "PORTAL_TIMEZONE": env.get("PORTAL_TIMEZONE", "Europe/London"),
        "ASSOCIATION_NAME": env.get("ASSOCIATION_NAME", "The Data & Marketing Association"),
        "CREDENTIAL_KEY_PATH": env.get("CREDENTIAL_KEY_PATH",
                                       str(INSTANCE_DIR / "credential_key.json")),
        "CREDENTIAL_PRIVATE_JWK": env.get("CREDENTIAL_PRIVATE_JWK", ""),
        # Earlier signing keys, still published in /credentials/jwks.json (public parts only).
        "CREDENTIAL_RETIRED_PUBLIC_JWKS": retired_public_jwks(env.get(RETIRED_JWKS, "")),
        # The clock can only be pinned outside production (tests, demos, browser tests).
        "PORTAL_FROZEN_NOW": "" if is_production else env.get("PORTAL_FROZEN_NOW", ""),
        "PASSWORD_HASH_METHOD": "scrypt" if portal_env != "testing" else "pbkdf2:sha256:1000",
        "SESSION_COOKIE_SECURE": is_production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": is_production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A long attestation form must never be lost to an expired CSRF token.
        "WTF_CSRF_TIME_LIMIT": None,
        # Forms check their own token so a failure re-shows the form with the user's answers.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,
        # Learning-record uploads (employee-level data) are deleted after this many days (13
        # months); at least 30, so a typo cannot erase files still waiting for review.
        "EVIDENCE_RETENTION_DAYS": positive_int(env, "EVIDENCE_RETENTION_DAYS", 396, minimum=30),
        # `portal daily` deletes drafts and unconfirmed registrations abandoned this long
        # (portal.calendar.purge.DEFAULT_AGE_DAYS); at least 30, as its --purge-after-days.
        "PURGE_ABANDONED_AFTER_DAYS": positive_int(env, "PORTAL_PURGE_ABANDONED_AFTER_DAYS", 180,
                                                   minimum=30),
        "STAFF_IDLE_MINUTES": 30,
        # Members (company users) are signed out after longer without doing anything.
        "MEMBER_IDLE_MINUTES": positive_int(env, "PORTAL_MEMBER_IDLE_MINUTES", 120),
        "PREFERRED_URL_SCHEME": "https" if is_production else "http",
        # How many reverse proxies stand in front (0: none). Trusting more hops than exist
        # would let clients forge their address (rate limits, pledge records).
        "PROXY_HOPS": positive_int(env, "PORTAL_PROXY_HOPS", 0, minimum=0),
        # Public pages remembered per worker, keyed on the public data version and the date
        # (portal.pagecache). Off only to measure the pages worked out every time.
        "PAGE_CACHE": env.get("PORTAL_PAGE_CACHE", "on").strip().lower()
        not in ("off", "false", "0", "no"),
        # Verification visits are written in batches (portal.certificates.visits); tests see
        # every visit at once.
        "VISIT_COUNT_FLUSH_SECONDS": 0 if portal_env == "testing" else 10,
    }
    if is_production and not config["MAIL_URL"]:
        raise ConfigError("MAIL_URL must be set in production (smtp://host:port)")
    if is_production and not config["CREDENTIAL_PRIVATE_JWK"] \
            and not Path(config["CREDENTIAL_KEY_PATH"]).is_file():
        # Fail at start-up, not at the first approval: certificates are signed with this key.
        raise ConfigError("CREDENTIAL_PRIVATE_JWK (or a key file at CREDENTIAL_KEY_PATH) must be "
                          "set in production: flask --app portal portal generate-credential-key")
    config.update(overrides or {})
    config["DATABASE_URL"] = normalise_database_url(config["DATABASE_URL"])
    return config
