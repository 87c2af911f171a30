"""Companies and their people. Functions only flush; the view commits."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.audit.service import record
from portal.organisations.models import Organisation
from portal.text import fold, slugify

PROFILE_FIELDS = ("name", "company_number", "sector", "region", "headcount_band", "website",
                  "description")


class LastAdminError(Exception):
    """A company must always keep at least one admin."""


def unique_slug(db: Session, name: str) -> str:
    base = slugify(name)
    taken = set(db.execute(
        sa.select(Organisation.slug).where(
            sa.or_(Organisation.slug == base, Organisation.slug.like(f"{base}-%"))
        )
    ).scalars())
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def company_number_taken(db: Session, number: str | None, except_id: int | None = None) -> bool:
    if not number:
        return False
    query = sa.select(Organisation.id).where(Organisation.company_number == number)
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return db.execute(query).first() is not None


def create_organisation(db: Session, *, name: str, sector: str, region: str,
                        headcount_band: str, company_number: str | None = None,
                        website: str | None = None, description: str | None = None
                        ) -> Organisation:
    organisation = Organisation(
        name=name, search_name=fold(name), slug=unique_slug(db, name),
        company_number=company_number or None, sector=sector, region=region,
        headcount_band=headcount_band, website=website or None,
        description=description or None,
    )
    db.add(organisation)
    db.flush()
    return organisation


def update_profile(db: Session, actor, organisation: Organisation, values: dict) -> list[str]:
    """Apply the edited fields; returns the names of those that changed (audited)."""
    changed = []
    for field in (*PROFILE_FIELDS, "is_listed", "publishes_metrics"):
        if field not in values:
            continue
        value = values[field]
        if isinstance(value, str):
            value = value or None  # an emptied optional field is stored as "not given"
        if getattr(organisation, field) != value:
            setattr(organisation, field, value)
            changed.append(field)
    if "name" in changed:
        organisation.search_name = fold(organisation.name)
    if changed:
        organisation.updated_at = clock.now()
        record(db, "company_profile_updated", actor=actor, obj=organisation,
               organisation_id=organisation.id, detail={"fields": changed})
    return changed


def members_of(db: Session, organisation_id: int):
    from portal.auth.models import User

    return list(db.execute(
        sa.select(User).where(User.organisation_id == organisation_id, User.erased_at.is_(None))
        .order_by(User.name)
    ).scalars())


def admin_count(db: Session, organisation_id: int) -> int:
    from portal.auth.models import OrgRole, User

    return db.execute(
        sa.select(sa.func.count()).select_from(User).where(
            User.organisation_id == organisation_id, User.org_role == OrgRole.ADMIN,
            User.disabled_at.is_(None), User.erased_at.is_(None),
        )
    ).scalar_one()


def change_role(db: Session, actor, member, new_role) -> None:
    from portal.auth.models import OrgRole

    if member.org_role == new_role:
        return
    if member.org_role == OrgRole.ADMIN and admin_count(db, member.organisation_id) <= 1:
        raise LastAdminError
    old_role, member.org_role = member.org_role, new_role
    member.session_version += 1  # privilege change: new session
    record(db, "member_role_changed", actor=actor, obj=member,
           organisation_id=member.organisation_id,
           detail={"from": str(old_role), "to": str(new_role)})


def remove_member(db: Session, actor, member) -> None:
    from portal.auth.models import OrgRole

    if member.org_role == OrgRole.ADMIN and admin_count(db, member.organisation_id) <= 1:
        raise LastAdminError
    organisation_id = member.organisation_id
    member.organisation_id, member.org_role = None, None
    member.session_version += 1
    record(db, "member_removed", actor=actor, obj=member, organisation_id=organisation_id)
