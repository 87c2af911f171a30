"""Mail the daily run sends besides cycle reminders: certificates about to expire and
pledges that must be signed again for a new code version."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from portal.attestations.models import ReportingCycle
from portal.calendar.mailing import external_url, send_to_companies
from portal.certificates.models import Certificate
from portal.organisations.models import Organisation
from portal.pledges.models import CodeVersion, Pledge
from portal.pledges.service import current_code_version, resign_deadlines
from portal.templating import format_date

EXPIRY_NOTICE = timedelta(days=30)
# Re-signing reminders: 30 days and 7 days before the deadline, each until the next is due.
RESIGN_STAGES = ((30, 8), (7, 0))


def expiring_certificates(db: Session, today: date, within: timedelta = EXPIRY_NOTICE):
    """(Certificate, year, company name) valid today, expiring within `within`, and not
    followed by a newer certificate that lasts longer (that company is already renewed)."""
    newer = aliased(Certificate)
    renewed = sa.exists().where(
        newer.organisation_id == Certificate.organisation_id, newer.id != Certificate.id,
        newer.revoked_at.is_(None), newer.superseded_by_id.is_(None),
        newer.valid_until > Certificate.valid_until)
    return list(db.execute(
        sa.select(Certificate, ReportingCycle.year, Organisation.name)
        .join(ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
        .join(Organisation, Organisation.id == Certificate.organisation_id)
        .where(Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None),
               Certificate.valid_until >= today, Certificate.valid_until <= today + within,
               Organisation.delisted_at.is_(None), ~renewed)
        .order_by(Certificate.valid_until, Certificate.id)))


def send_certificate_expiring(db: Session, today: date, expiring: list | None = None) -> int:
    """expiring: `expiring_certificates(db, today)` when the caller already has it."""
    queued = 0
    expiring = expiring if expiring is not None else expiring_certificates(db, today)
    for certificate, year, name in expiring:
        context = {"organisation_name": name, "year": year, "number": certificate.number,
                   "valid_until": format_date(certificate.valid_until),
                   "days_left": (certificate.valid_until - today).days,
                   "attestation_url": external_url("attestations.index"),
                   "certificates_url": external_url("certificates.company_certificates")}
        queued += send_to_companies(
            db, "certificate_expiring", f"certificate_expiring:{year}:",
            {certificate.organisation_id: context},
            lambda c: f"{c['organisation_name']}: your People Pillar certificate "
                      f"{c['number']} expires on {c['valid_until']}")
    return queued


def resign_stage(deadline: date, today: date) -> int | None:
    """Which re-signing reminder (days before the deadline) is due today, if any."""
    for days, until in RESIGN_STAGES:
        if deadline - timedelta(days=days) <= today <= deadline - timedelta(days=until):
            return days
    return None


def send_resign_reminders(db: Session, today: date) -> int:
    """Remind companies whose active pledge is on an older code version, before it lapses."""
    current = current_code_version(db)
    queued = 0
    for number, deadline in resign_deadlines(db).items():
        if number >= current.number or deadline is None:
            continue
        stage = resign_stage(deadline, today)
        if stage is None:
            continue
        companies = {organisation_id: {
            "organisation_name": name, "old_version": number, "new_version": current.number,
            "deadline": format_date(deadline), "days_left": (deadline - today).days,
            "sign_url": external_url("pledges.sign")}
            for organisation_id, name in pledged_on(db, number)}
        queued += send_to_companies(
            db, "reminder_resign", f"reminder_resign:v{number}-{stage}d:", companies,
            lambda c: f"{c['organisation_name']}: sign the People Pillar pledge again by "
                      f"{c['deadline']}")
    return queued


def pledged_on(db: Session, version_number: int) -> list[tuple[int, str]]:
    return list(db.execute(
        sa.select(Organisation.id, Organisation.name)
        .join(Pledge, Pledge.active_organisation_id == Organisation.id)
        .join(CodeVersion, CodeVersion.id == Pledge.code_version_id)
        .where(CodeVersion.number == version_number, Organisation.delisted_at.is_(None))
        .order_by(Organisation.id)))
