"""Staff-only changes: deadline extensions, appointing a company admin, staff accounts.

Functions only flush; the view commits.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.audit.service import record
from portal.auth import service as auth_service
from portal.auth.models import OrgRole, StaffRole, User
from portal.mail.service import queue_mail
from portal.organisations.models import Organisation
from portal.review.service import external_url


class StaffActionError(Exception):
    """Refused; the message says why and is shown beside the field."""


# Deadline extensions ------------------------------------------------------------------------

def extend_deadline(db: Session, actor: User, organisation: Organisation,
                    cycle: ReportingCycle, until: date, reason: str) -> Attestation:
    """Give one company until `until` to submit for `cycle` (kept on its attestation)."""
    if until <= cycle.due_on or until <= clock.today():
        raise StaffActionError(
            f"The new deadline must be after {cycle.due_on:%-d %B %Y} and after today")
    from portal.attestations.service import attestation_for, start_attestation

    attestation = attestation_for(db, organisation.id, cycle)
    if attestation is None:
        # The company has not started its form: the draft it would create holds the extension.
        attestation = start_attestation(db, organisation, cycle, actor)
    elif attestation.status in (AttestationStatus.APPROVED, AttestationStatus.REJECTED):
        raise StaffActionError(f"The {cycle.year} attestation has already been decided")
    previous = attestation.extended_until
    attestation.extended_until, attestation.extension_reason = until, reason
    db.flush()
    record(db, "deadline_extended", actor=actor, obj=attestation,
           organisation_id=organisation.id,
           detail={"cycle": cycle.year, "until": until.isoformat(),
                   "previous": previous.isoformat() if previous else None},
           personal={"reason": reason})
    for admin in company_admins(db, organisation.id):
        queue_mail(db, "staff_deadline_extended", admin.email,
                   f"Your {cycle.year} People Pillar deadline has been extended",
                   {"user": admin, "organisation": organisation, "cycle": cycle,
                    "until": until, "reason": reason},
                   dedupe_key=f"extension:{attestation.id}:{until.isoformat()}:{admin.id}",
                   user_id=admin.id, organisation_id=organisation.id)
    return attestation


def company_admins(db: Session, organisation_id: int) -> list[User]:
    return list(db.execute(sa.select(User).where(
        User.organisation_id == organisation_id, User.org_role == OrgRole.ADMIN,
        User.disabled_at.is_(None), User.erased_at.is_(None)).order_by(User.id)).scalars())


# Appointing a company admin -----------------------------------------------------------------

def appoint_company_admin(db: Session, actor: User, organisation: Organisation,
                          email: str) -> str:
    """Make a colleague admin, or invite a newcomer as admin. Returns "promoted"/"invited"."""
    person = auth_service.find_user_by_email(db, email)
    if person is not None and person.organisation_id != organisation.id:
        raise StaffActionError(
            "This email address belongs to someone outside this company. Enter the email "
            "address of a colleague, or of someone without an account")
    if person is not None and not person.is_active:
        raise StaffActionError("This account is disabled. Enter another email address")
    if person is not None and person.org_role == OrgRole.ADMIN:
        raise StaffActionError(f"{person.name} is already an admin of this company")
    if person is not None:
        person.org_role = OrgRole.ADMIN
        person.session_version += 1  # new rights take effect on a fresh session
        outcome = "promoted"
    else:
        auth_service.invite(db, actor, email, org_role=OrgRole.ADMIN, organisation=organisation)
        outcome = "invited"
    record(db, "company_admin_appointed", actor=actor, obj=organisation,
           organisation_id=organisation.id,
           detail={"outcome": outcome, "user_id": getattr(person, "id", None)},
           personal={"email": auth_service.normalise_email(email)})
    _tell_company(db, organisation, email, outcome)
    return outcome


def _tell_company(db: Session, organisation: Organisation, email: str, outcome: str) -> None:
    link = external_url("organisations.people", fallback="/company")
    members = db.execute(sa.select(User).where(
        User.organisation_id == organisation.id, User.disabled_at.is_(None),
        User.erased_at.is_(None))).scalars()
    stamp = clock.now().strftime("%Y%m%d%H%M%S")
    for member in members:
        queue_mail(db, "staff_admin_appointed", member.email,
                   f"A new admin for {organisation.name} on Pledge Portal",
                   {"user": member, "organisation": organisation, "email": email,
                    "outcome": outcome, "link": link},
                   dedupe_key=f"admin_appointed:{organisation.id}:{stamp}:{member.id}",
                   user_id=member.id, organisation_id=organisation.id)


# Staff accounts -----------------------------------------------------------------------------

def active_staff_admins(db: Session) -> int:
    return db.execute(sa.select(sa.func.count()).select_from(User).where(
        User.staff_role == StaffRole.ADMIN, User.disabled_at.is_(None),
        User.erased_at.is_(None))).scalar_one()


def _keeps_an_admin(db: Session, user: User) -> None:
    if user.staff_role == StaffRole.ADMIN and user.is_active and active_staff_admins(db) <= 1:
        raise StaffActionError(
            "This is the last staff admin. Make someone else a staff admin first")


def change_staff_role(db: Session, actor: User, user: User, role: StaffRole | None) -> None:
    """Reviewer, admin, or None to remove staff access altogether."""
    if role == user.staff_role:
        return
    if role != StaffRole.ADMIN:
        _keeps_an_admin(db, user)
    previous, user.staff_role = user.staff_role, role
    user.session_version += 1  # privilege change: new session
    record(db, "staff_role_changed", actor=actor, obj=user,
           detail={"from": previous.value if previous else None,
                   "to": role.value if role else None})


def disable_staff(db: Session, actor: User, user: User) -> None:
    if user.id == actor.id:
        raise StaffActionError("You cannot disable your own account")
    _keeps_an_admin(db, user)
    user.disabled_at = clock.now()
    user.session_version += 1  # signed out everywhere at once
    record(db, "staff_disabled", actor=actor, obj=user)


def enable_staff(db: Session, actor: User, user: User) -> None:
    user.disabled_at = None
    record(db, "staff_enabled", actor=actor, obj=user)


def invite_staff(db: Session, actor: User, email: str, role: StaffRole):
    if auth_service.find_user_by_email(db, email):
        raise StaffActionError("This person already has a Pledge Portal account")
    return auth_service.invite(db, actor, email, staff_role=role)
