"""Code versions: drafts that staff admins edit, publication (immutable afterwards), and what
changed between two versions. Functions only flush; the view commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.audit.service import record
from portal.mail.service import queue_mail
from portal.pledges.models import CodeVersion, Pledge
from portal.pledges.service import _external, current_code_version, resign_deadlines


class AlreadyPublished(Exception):
    """Published versions are immutable."""


def drafts(db: Session) -> list[CodeVersion]:
    return list(db.execute(
        sa.select(CodeVersion).where(CodeVersion.published_at.is_(None))
        .order_by(CodeVersion.created_at.desc(), CodeVersion.id.desc())
    ).scalars())


def published_versions_query() -> sa.Select:
    return (sa.select(CodeVersion).where(CodeVersion.published_at.is_not(None))
            .order_by(CodeVersion.number.desc()))


def create_draft(db: Session, actor, values: dict) -> CodeVersion:
    version = CodeVersion(title=values["title"], summary_of_changes=values["summary_of_changes"],
                          commitments=values["commitments"], created_by_id=actor.id)
    db.add(version)
    db.flush()
    record(db, "code_version_drafted", actor=actor, obj=version,
           detail={"title": version.title, "commitments": len(version.commitments)})
    return version


def update_draft(db: Session, actor, version: CodeVersion, values: dict) -> None:
    if version.is_published:
        raise AlreadyPublished
    version.title = values["title"]
    version.summary_of_changes = values["summary_of_changes"]
    # A new list, so SQLAlchemy sees the JSON change.
    version.commitments = [dict(c) for c in values["commitments"]]
    db.flush()
    record(db, "code_version_draft_updated", actor=actor, obj=version,
           detail={"title": version.title, "commitments": len(version.commitments)})


def delete_draft(db: Session, actor, version: CodeVersion) -> None:
    if version.is_published:
        raise AlreadyPublished
    record(db, "code_version_draft_deleted", actor=actor, obj=version,
           detail={"title": version.title})
    db.delete(version)
    db.flush()


def publish_version(db: Session, actor, version: CodeVersion) -> int:
    """Number and publish the draft; tell every company on an older version to re-sign.

    Returns how many companies must re-sign. A concurrent publication of another draft takes
    the same number and fails on the unique constraint (IntegrityError for the view).
    """
    if version.is_published:
        raise AlreadyPublished
    previous = current_code_version(db)
    version.number = previous.number + 1
    version.published_at = clock.now()
    version.published_by_id = actor.id
    db.flush()
    companies = _notify_resign_required(db, version)
    record(db, "code_version_published", actor=actor, obj=version,
           detail={"number": version.number, "title": version.title,
                   "companies_to_resign": companies})
    return companies


def _notify_resign_required(db: Session, version: CodeVersion) -> int:
    from portal.auth.models import OrgRole, User
    from portal.organisations.models import Organisation

    deadlines = resign_deadlines(db)
    rows = db.execute(
        sa.select(Organisation, User, CodeVersion.number)
        .join(Pledge, Pledge.active_organisation_id == Organisation.id)
        .join(CodeVersion, CodeVersion.id == Pledge.code_version_id)
        .join(User, sa.and_(User.organisation_id == Organisation.id,
                            User.org_role == OrgRole.ADMIN, User.disabled_at.is_(None),
                            User.erased_at.is_(None)), isouter=True)
        .where(CodeVersion.number < version.number)
        .order_by(Organisation.id, User.id)
    ).all()
    companies = set()
    sign_url = _external("pledges.sign")
    today = clock.today()
    for organisation, user, signed_number in rows:
        companies.add(organisation.id)
        if user is None:
            continue
        deadline = deadlines.get(signed_number)
        queue_mail(db, "code_version_published", user.email,
                   f"Re-sign the People Pillar: version {version.number} has been published",
                   {"organisation": organisation, "version": version,
                    "signed_number": signed_number, "deadline": deadline,
                    "is_lapsed": deadline is not None and deadline < today,
                    "sign_url": sign_url},
                   dedupe_key=f"code_version_published:{version.number}:{organisation.id}:"
                              f"{user.id}",
                   user_id=user.id, organisation_id=organisation.id)
    return len(companies)


def companies_to_resign_count(db: Session, below_number: int) -> int:
    """How many companies hold an active pledge on a version older than `below_number`."""
    return db.execute(
        sa.select(sa.func.count()).select_from(Pledge)
        .join(CodeVersion, CodeVersion.id == Pledge.code_version_id)
        .where(Pledge.active_organisation_id.is_not(None), CodeVersion.number < below_number)
    ).scalar_one()


def compare_versions(old: CodeVersion, new: CodeVersion) -> dict:
    """What a re-signer needs to read: each new commitment marked new/changed/unchanged
    (matched by heading), and the headings that were removed."""
    old_by_heading = {c["heading"].casefold(): c for c in old.commitments}
    items = []
    for commitment in new.commitments:
        before = old_by_heading.pop(commitment["heading"].casefold(), None)
        if before is None:
            change = "new"
        elif before["body"] != commitment["body"] or before["heading"] != commitment["heading"]:
            change = "changed"
        else:
            change = "unchanged"
        items.append({**commitment, "change": change,
                      "before": before["body"] if change == "changed" else None})
    return {"items": items, "removed": [c["heading"] for c in old_by_heading.values()]}


def versions_between(db: Session, after_number: int, up_to_number: int) -> list[CodeVersion]:
    """Published versions after the one signed, oldest first: their summaries of changes."""
    return list(db.execute(
        sa.select(CodeVersion).where(CodeVersion.number > after_number,
                                     CodeVersion.number <= up_to_number)
        .order_by(CodeVersion.number)
    ).scalars())
