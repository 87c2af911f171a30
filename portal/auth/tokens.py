"""Signed, time-limited tokens for emailed links."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from portal import clock

VERIFY_EMAIL_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 3600
CHANGE_EMAIL_MAX_AGE = 2 * 24 * 3600


class ClockSigner(TimestampSigner):
    """Signs and ages links by the portal's clock, so tests can move time."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"portal.{purpose}", signer=ClockSigner
    )


def make(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: int) -> dict | None:
    """The payload, or None for a link that is forged, expired or malformed."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does: makes a reset link single-use."""
    return hmac.new(b"reset", password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def new_random_token() -> tuple[str, str]:
    """(token for the link, sha256 to store)."""
    token = secrets.token_urlsafe(32)
    return token, sha256(token)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
