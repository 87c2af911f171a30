"""Accounts: registration, verification, passwords, invitations. Functions only flush."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from portal import clock
from portal.audit.service import record
from portal.auth import tokens
from portal.auth.models import Invitation, OrgRole, StaffRole, User
from portal.mail.service import queue_mail
from portal.organisations.models import Organisation
from portal.organisations.service import create_organisation

INVITATION_DAYS = 7
# Checked against when the email is unknown, so a failed login takes as long either way.
_DUMMY_HASH = None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(db: Session, email: str) -> User | None:
    return db.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(db: Session, email: str, password: str) -> User | None:
    global _DUMMY_HASH
    user = find_user_by_email(db, email)
    if user is None or not user.is_active:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-real-password")
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def create_user(
    db: Session, *, email: str, name: str, password: str,
    organisation: Organisation | None = None, org_role: OrgRole | None = None,
    staff_role: StaffRole | None = None, verified: bool = False,
) -> User:
    user = User(
        email=normalise_email(email), name=name, password_hash=hash_password(password),
        organisation=organisation, org_role=org_role, staff_role=staff_role,
        email_verified_at=clock.now() if verified else None,
    )
    db.add(user)
    db.flush()
    return user


def register_company(db: Session, company: dict, person: dict, ip: str | None) -> User | None:
    """Create the company and its first admin; None when the email already has an account.

    An existing email is not revealed to the visitor: its owner is told by mail instead.
    """
    existing = find_user_by_email(db, person["email"])
    if existing is not None:
        queue_mail(db, "account_exists", existing.email, "You already have a Pledge Portal account",
                   {"user": existing, "login_url": _external("auth.login"),
                    "reset_url": _external("auth.forgot_password")}, user_id=existing.id)
        record(db, "registration_with_existing_email", object_type="users",
               object_id=existing.id, personal={"ip": ip})
        return None
    organisation = create_organisation(db, **company)
    user = create_user(db, organisation=organisation, org_role=OrgRole.ADMIN, **person)
    record(db, "company_registered", actor=user, obj=organisation,
           organisation_id=organisation.id, detail={"user_id": user.id},
           personal={"email": user.email, "name": user.name, "ip": ip})
    send_verification(db, user)
    return user


def _external(endpoint: str, **values) -> str:
    base = current_app.config["PORTAL_BASE_URL"]
    return base + url_for(endpoint, **values)


def send_verification(db: Session, user: User) -> None:
    token = tokens.make("verify-email", {"u": user.id, "e": user.email})
    queue_mail(db, "verify_email", user.email, "Confirm your email address",
               {"user": user, "verify_url": _external("auth.verify_email", token=token)},
               user_id=user.id, organisation_id=user.organisation_id)


def verify_email(db: Session, token: str) -> User | None:
    payload = tokens.read("verify-email", token, tokens.VERIFY_EMAIL_MAX_AGE)
    if not payload:
        return None
    user = db.get(User, payload.get("u"))
    if user is None or user.email != payload.get("e"):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        record(db, "email_verified", actor=user, obj=user, organisation_id=user.organisation_id)
    return user


def request_password_reset(db: Session, email: str) -> None:
    """Always looks the same to the visitor; only a real account gets a link."""
    user = find_user_by_email(db, email)
    if user is None or not user.is_active:
        return
    token = tokens.make("reset", {"u": user.id,
                                  "f": tokens.password_fingerprint(user.password_hash)})
    queue_mail(db, "reset_password", user.email, "Reset your password",
               {"user": user, "reset_url": _external("auth.reset_password", token=token)},
               user_id=user.id)
    record(db, "password_reset_requested", obj=user, organisation_id=user.organisation_id)


def user_for_reset_token(db: Session, token: str) -> User | None:
    payload = tokens.read("reset", token, tokens.RESET_MAX_AGE)
    if not payload:
        return None
    user = db.get(User, payload.get("u"))
    if user is None or not user.is_active:
        return None
    if payload.get("f") != tokens.password_fingerprint(user.password_hash):
        return None  # already used: the password changed since the link was sent
    return user


def set_password(db: Session, user: User, password: str, action: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1  # every other session ends
    record(db, action, actor=user, obj=user, organisation_id=user.organisation_id)


def request_email_change(db: Session, user: User, new_email: str) -> None:
    user.pending_email = normalise_email(new_email)
    token = tokens.make("change-email", {"u": user.id, "e": user.pending_email})
    queue_mail(db, "confirm_new_email", user.pending_email, "Confirm your new email address",
               {"user": user, "confirm_url": _external("auth.confirm_email_change", token=token)},
               user_id=user.id)
    record(db, "email_change_requested", actor=user, obj=user,
           organisation_id=user.organisation_id, personal={"new_email": user.pending_email})


def confirm_email_change(db: Session, token: str) -> tuple[User | None, str]:
    payload = tokens.read("change-email", token, tokens.CHANGE_EMAIL_MAX_AGE)
    user = db.get(User, payload.get("u")) if payload else None
    if user is None or user.pending_email != payload.get("e"):
        return None, "This link has expired or has already been used."
    if find_user_by_email(db, user.pending_email):
        return None, "Another account already uses that email address."
    old_email, user.email, user.pending_email = user.email, user.pending_email, None
    user.email_verified_at = clock.now()
    record(db, "email_changed", actor=user, obj=user, organisation_id=user.organisation_id,
           personal={"old_email": old_email, "new_email": user.email})
    return user, ""


def log_out_everywhere(db: Session, user: User) -> None:
    user.session_version += 1
    record(db, "logged_out_everywhere", actor=user, obj=user,
           organisation_id=user.organisation_id)


# Invitations -------------------------------------------------------------------------------

def invite(db: Session, inviter: User, email: str, *, org_role: OrgRole | None = None,
           staff_role: StaffRole | None = None, organisation: Organisation | None = None
           ) -> Invitation:
    token, token_hash = tokens.new_random_token()
    invitation = Invitation(
        organisation=organisation, email=normalise_email(email), org_role=org_role,
        staff_role=staff_role, token_sha256=token_hash, invited_by_id=inviter.id,
        expires_at=clock.now() + timedelta(days=INVITATION_DAYS),
    )
    db.add(invitation)
    db.flush()
    _mail_invitation(db, invitation, token, inviter)
    record(db, "invitation_sent", actor=inviter, obj=invitation,
           organisation_id=invitation.organisation_id,
           detail={"org_role": org_role, "staff_role": staff_role},
           personal={"email": invitation.email})
    return invitation


def _mail_invitation(db: Session, invitation: Invitation, token: str, inviter: User) -> None:
    queue_mail(db, "invitation", invitation.email,
               f"{inviter.name} invited you to Pledge Portal",
               {"invitation": invitation, "inviter": inviter,
                "accept_url": _external("auth.accept_invitation", token=token)},
               organisation_id=invitation.organisation_id)


def resend_invitation(db: Session, actor: User, invitation: Invitation) -> None:
    token, invitation.token_sha256 = tokens.new_random_token()
    invitation.expires_at = clock.now() + timedelta(days=INVITATION_DAYS)
    invitation.resent_count += 1
    _mail_invitation(db, invitation, token, actor)
    record(db, "invitation_resent", actor=actor, obj=invitation,
           organisation_id=invitation.organisation_id)


def revoke_invitation(db: Session, actor: User, invitation: Invitation) -> None:
    invitation.revoked_at = clock.now()
    record(db, "invitation_revoked", actor=actor, obj=invitation,
           organisation_id=invitation.organisation_id)


def open_invitation(db: Session, token: str) -> Invitation | None:
    invitation = db.execute(
        sa.select(Invitation).where(Invitation.token_sha256 == tokens.sha256(token))
    ).scalar_one_or_none()
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    return invitation if invitation.expires_at > clock.now() else None


def accept_invitation(db: Session, invitation: Invitation, name: str, password: str) -> User:
    """The invitee proved they own the email by opening the link, so it counts as verified."""
    user = create_user(
        db, email=invitation.email, name=name, password=password,
        organisation=invitation.organisation, org_role=invitation.org_role,
        staff_role=invitation.staff_role, verified=True,
    )
    invitation.accepted_at = clock.now()
    record(db, "invitation_accepted", actor=user, obj=invitation,
           organisation_id=invitation.organisation_id, detail={"user_id": user.id},
           personal={"email": user.email, "name": user.name})
    return user
