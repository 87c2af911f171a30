"""Pledges: signing, re-signing, withdrawal, and whether a pledge still counts. Functions only
flush; the view commits (so a double submit surfaces as an IntegrityError it can explain).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal import clock, signals
from portal.audit.service import record
from portal.mail.service import queue_mail
from portal.pledges.models import CodeVersion, Pledge

USER_AGENT_MAX = 400


class AlreadySigned(Exception):
    """The company already has an active pledge on the current version."""


class NoActivePledge(Exception):
    """There is nothing to withdraw."""


class VersionChanged(Exception):
    """A newer version was published between showing the form and sending it."""


@dataclass(frozen=True)
class Signatory:
    user: object
    name: str
    job_title: str
    ip_address: str | None = None
    user_agent: str | None = None


def current_code_version(db: Session) -> CodeVersion:
    """The latest published version (there is always one: migration 0002 creates version 1)."""
    return db.execute(
        sa.select(CodeVersion).where(CodeVersion.published_at.is_not(None))
        .order_by(CodeVersion.number.desc()).limit(1)
    ).scalar_one()


def active_pledge(db: Session, organisation_id: int) -> Pledge | None:
    return db.execute(
        sa.select(Pledge).where(Pledge.active_organisation_id == organisation_id)
    ).scalar_one_or_none()


def pledge_history(db: Session, organisation_id: int) -> list[Pledge]:
    return list(db.execute(
        sa.select(Pledge).where(Pledge.organisation_id == organisation_id)
        .order_by(Pledge.signed_at.desc(), Pledge.id.desc())
    ).scalars())


def canonical_text(version: CodeVersion, company_name: str) -> str:
    """The exact plain text a company signs: the version's text and its name, nothing personal.

    Plain text (never HTML), so the hash does not depend on how a page renders it.
    """
    lines = [version.title, f"Code version {version.number}", "",
             f"{company_name} commits to the People Pillar of the code of practice:", ""]
    for index, commitment in enumerate(version.commitments, start=1):
        lines += [f"{index}. {commitment['heading']}", commitment["body"], ""]
    return "\n".join(lines).rstrip("\n") + "\n"


_CANONICAL = re.compile(
    r"\A(?P<title>[^\n]*)\nCode version (?P<number>\d+)\n\n(?P<company>[^\n]*) commits to the "
    r"People Pillar of the code of practice:\n\n(?P<items>.*)\Z", re.S)


def parse_canonical_text(text: str) -> dict | None:
    """The inverse of canonical_text, so a statement shows exactly what was signed (e.g. the
    company's name at the time). None when the text does not re-render byte for byte."""
    match = _CANONICAL.match(text or "")
    if match is None:
        return None
    commitments = []
    for chunk in match["items"].rstrip("\n").split("\n\n"):
        numbered, _, body = chunk.partition("\n")
        heading = numbered.partition(". ")[2]
        commitments.append({"heading": heading, "body": body})
    parsed = {"title": match["title"], "number": int(match["number"]),
              "company": match["company"], "commitments": commitments}
    shim = CodeVersion(title=parsed["title"], number=parsed["number"], commitments=commitments)
    return parsed if canonical_text(shim, parsed["company"]) == text else None


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_reference(organisation_id: int, sequence: int, year: int) -> str:
    """PL-2026-000123-2: the company's second pledge. Unique without needing the row's id."""
    return f"PL-{year}-{organisation_id:06d}-{sequence}"


def _next_sequence(db: Session, organisation_id: int) -> int:
    count = db.execute(
        sa.select(sa.func.count()).select_from(Pledge)
        .where(Pledge.organisation_id == organisation_id)
    ).scalar_one()
    return count + 1


def sign_pledge(db: Session, organisation, signatory: Signatory, version_id: int) -> Pledge:
    """Sign (or re-sign) the current version for the company.

    Raises AlreadySigned, VersionChanged; a concurrent double submit raises IntegrityError
    from the unique active_organisation_id (at flush here, or at the view's commit).
    """
    version = current_code_version(db)
    if version.id != version_id:
        raise VersionChanged
    previous = active_pledge(db, organisation.id)
    if previous is not None and previous.code_version_id == version.id:
        raise AlreadySigned
    now = clock.now()
    if previous is not None:
        # Free the company's "active" slot first, so the new row can take it.
        previous.active_organisation_id = None
        previous.superseded_at = now
        db.flush()
    text = canonical_text(version, organisation.name)
    pledge = Pledge(
        reference=make_reference(organisation.id, _next_sequence(db, organisation.id),
                                 clock.local(now).year),
        organisation_id=organisation.id, code_version=version,
        signed_by_id=signatory.user.id, signatory_name=signatory.name,
        signatory_title=signatory.job_title, signed_at=now, signed_text=text,
        text_sha256=sha256_text(text), ip_address=signatory.ip_address,
        user_agent=(signatory.user_agent or "")[:USER_AGENT_MAX] or None,
        active_organisation_id=organisation.id,
    )
    db.add(pledge)
    db.flush()
    if previous is not None:
        previous.superseded_by_id = pledge.id
    _after_signing(db, organisation, pledge, previous, signatory)
    return pledge


def _after_signing(db, organisation, pledge, previous, signatory) -> None:
    record(db, "pledge_resigned" if previous else "pledge_signed", actor=signatory.user,
           obj=pledge, organisation_id=organisation.id,
           detail={"reference": pledge.reference, "code_version": pledge.code_version.number,
                   "text_sha256": pledge.text_sha256,
                   "supersedes": previous.reference if previous else None},
           personal={"signatory_name": signatory.name, "signatory_title": signatory.job_title,
                     "ip": signatory.ip_address, "user_agent": pledge.user_agent})
    recipients = {u.id: u for u in company_admins(db, organisation.id)}
    recipients.setdefault(signatory.user.id, signatory.user)
    for user in recipients.values():
        queue_mail(db, "pledge_signed", user.email,
                   f"{organisation.name} has signed the People Pillar pledge",
                   {"organisation": organisation, "pledge": pledge, "version": pledge.code_version,
                    "is_resign": previous is not None,
                    "record_url": _external("pledges.record")},
                   dedupe_key=f"pledge_signed:{pledge.id}:{user.id}", user_id=user.id,
                   organisation_id=organisation.id)
    signals.pledge_signed.send(current_app._get_current_object(), db=db, pledge=pledge,
                               actor=signatory.user)


def withdraw_pledge(db: Session, organisation, actor, reason: str) -> Pledge:
    pledge = active_pledge(db, organisation.id)
    if pledge is None:
        raise NoActivePledge
    pledge.active_organisation_id = None
    pledge.withdrawn_at = clock.now()
    pledge.withdrawn_by_id = actor.id
    pledge.withdrawal_reason = reason
    db.flush()
    record(db, "pledge_withdrawn", actor=actor, obj=pledge, organisation_id=organisation.id,
           detail={"reference": pledge.reference}, personal={"reason": reason})
    for user in company_admins(db, organisation.id):
        queue_mail(db, "pledge_withdrawn", user.email,
                   f"{organisation.name} has withdrawn its People Pillar pledge",
                   {"organisation": organisation, "pledge": pledge, "actor_name": actor.name,
                    "sign_url": _external("pledges.sign")},
                   dedupe_key=f"pledge_withdrawn:{pledge.id}:{user.id}", user_id=user.id,
                   organisation_id=organisation.id)
    signals.pledge_withdrawn.send(current_app._get_current_object(), db=db, pledge=pledge,
                                  actor=actor)
    return pledge


def company_admins(db: Session, organisation_id: int) -> list:
    from portal.auth.models import OrgRole, User

    return list(db.execute(
        sa.select(User).where(
            User.organisation_id == organisation_id, User.org_role == OrgRole.ADMIN,
            User.disabled_at.is_(None), User.erased_at.is_(None),
        ).order_by(User.id)
    ).scalars())


def _external(endpoint: str, **values) -> str:
    """An absolute link for mail; works outside a request too (CLI, demo, tests)."""
    path = current_app.url_map.bind("portal.invalid").build(endpoint, values)
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + path


# Re-signing: a newer version makes older pledges "re-signing required"; they keep counting
# until the due date of the first reporting cycle that opens after that version's publication.

def resign_required(db: Session, pledge: Pledge) -> bool:
    if not pledge.is_active:
        return False
    return pledge.code_version.number < current_code_version(db).number


def resign_deadlines(db: Session) -> dict[int, date | None]:
    """{version number: date after which a pledge on it no longer counts (None: no deadline
    yet, because no reporting cycle opens after the next version)} — one query each, for lists.
    """
    from portal.attestations.models import ReportingCycle

    published = list(db.execute(
        sa.select(CodeVersion.number, CodeVersion.published_at)
        .where(CodeVersion.published_at.is_not(None)).order_by(CodeVersion.number)
    ))
    cycles = list(db.execute(
        sa.select(ReportingCycle.opens_on, ReportingCycle.due_on).order_by(ReportingCycle.opens_on)
    ))
    deadlines: dict[int, date | None] = {}
    for (number, _), (_next_number, next_published_at) in zip(published, published[1:],
                                                               strict=False):
        published_on = clock.local(next_published_at).date()
        deadlines[number] = next((due for opens, due in cycles if opens > published_on), None)
    if published:
        deadlines[published[-1][0]] = None
    return deadlines


def resign_deadline(db: Session, pledge: Pledge) -> date | None:
    return resign_deadlines(db).get(pledge.code_version.number)


def pledge_counts_on(db: Session, pledge: Pledge, day: date) -> bool:
    """Did this pledge count on `day`? Signed by then, not withdrawn or superseded by then,
    and not past its re-signing deadline."""
    if clock.local(pledge.signed_at).date() > day:
        return False
    for ended_at in (pledge.withdrawn_at, pledge.superseded_at):
        if ended_at is not None and clock.local(ended_at).date() <= day:
            return False
    deadline = resign_deadline(db, pledge)
    return deadline is None or day <= deadline


def pledge_state(db: Session, pledge: Pledge, today: date) -> str:
    """One word for the member's and staff's pages: what this pledge is now."""
    if pledge.withdrawn_at is not None:
        return "withdrawn"
    if pledge.superseded_at is not None:
        return "superseded"
    if not pledge_counts_on(db, pledge, today):
        return "lapsed"
    return "resign_required" if resign_required(db, pledge) else "active"
