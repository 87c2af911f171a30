"""Staff two-factor authentication: TOTP codes that work once, and single-use recovery codes.

Functions only flush. The time used for codes is the real wall clock, never portal.clock:
the authenticator app on the user's phone knows nothing about a frozen demo or test clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal.audit.service import record
from portal.auth.models import User

ISSUER = "Pledge Portal"
RECOVERY_CODE_COUNT = 8
# No 0/o, 1/l/i: recovery codes are read off paper and typed by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Fixed secrets so the demo and the browser tests can sign in as staff. Never used in
# production: seeding refuses to set them there and verification refuses them there.
DEMO_TOTP_SECRETS = {
    "ada.admin@association.example": "ADAADMINDEMOTOTPSECRETDEVONLYAAA",
    "sam.admin@association.example": "SAMADMINDEMOTOTPSECRETDEVONLYAAA",
    "rita.reviewer@association.example": "RITAREVIEWERDEMOTOTPSECRETDEVAAA",
}


def demo_secrets_allowed() -> bool:
    return current_app.config["PORTAL_ENV"] != "production"


def is_enrolled(user: User) -> bool:
    if not user.totp_secret:
        return False
    # A demo secret in production is no second factor at all: enrol again.
    return user.totp_secret not in DEMO_TOTP_SECRETS.values() or demo_secrets_allowed()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG (no style attributes, so the strict CSP allows it)."""
    qr = segno.make(uri, error="m")
    return qr.svg_inline(scale=5, border=2, title="QR code for your authenticator app",
                         svgclass="qr-code", lineclass=None)


def format_secret(secret: str) -> str:
    """Groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step a 6-digit code belongs to (one step of drift either way), or None."""
    code = normalise_code(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_utc(at))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _utc(at: float | None):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(time.time() if at is None else at, UTC)


def claim_step(db: Session, user: User, step: int) -> bool:
    """Record the step as used; False when it (or a later one) was used already.

    pyotp alone accepts a replayed code for its whole 30 seconds. A conditional UPDATE makes
    the check and the write one atomic step, so two requests racing with one code cannot both
    win.
    """
    result = db.execute(
        sa.update(User)
        .where(User.id == user.id)
        .where(sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def verify_code(db: Session, user: User, code: str) -> bool:
    if not is_enrolled(user):
        return False
    step = matching_step(user.totp_secret, code)
    return step is not None and claim_step(db, user, step)


def _hash_recovery(code: str) -> str:
    # Codes carry ~50 random bits, so a fast hash is safe: no dictionary can guess them.
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """(codes to show once, hashes to store)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes, [_hash_recovery(code) for code in codes]


def use_recovery_code(db: Session, user: User, code: str) -> bool:
    """Spend one recovery code; each works once."""
    wanted = _hash_recovery(code)
    remaining = list(user.recovery_codes or [])
    match = next((h for h in remaining if hmac.compare_digest(h, wanted)), None)
    if match is None or not normalise_code(code):
        return False
    remaining.remove(match)
    user.recovery_codes = remaining
    record(db, "two_factor_recovery_code_used", actor=user, obj=user,
           detail={"remaining": len(remaining)})
    return True


def enrol(db: Session, user: User, secret: str, code: str) -> list[str] | None:
    """Confirm enrolment with a code from the app; the recovery codes to show, or None."""
    step = matching_step(secret, code)
    if step is None:
        return None
    codes, hashes = new_recovery_codes()
    user.totp_secret, user.totp_last_step, user.recovery_codes = secret, step, hashes
    record(db, "two_factor_enrolled", actor=user, obj=user)
    return codes


def replace_recovery_codes(db: Session, user: User) -> list[str]:
    codes, user.recovery_codes = new_recovery_codes()
    record(db, "two_factor_recovery_codes_replaced", actor=user, obj=user)
    return codes


def reset_two_factor(db: Session, actor: User, user: User) -> None:
    """A staff admin clears a colleague's second factor (lost phone); they enrol again.

    Bumping session_version signs them out everywhere: whoever holds the lost phone and a
    session cookie must not keep it.
    """
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = None
    user.session_version += 1
    record(db, "two_factor_reset", actor=actor, obj=user)


def seed_demo_secret(user: User) -> str | None:
    """The fixed demo secret for a demo staff account, only outside production."""
    secret = DEMO_TOTP_SECRETS.get(user.email)
    if secret is None or not demo_secrets_allowed():
        return None
    if not user.totp_secret:
        user.totp_secret = secret
    return user.totp_secret if user.totp_secret == secret else None
