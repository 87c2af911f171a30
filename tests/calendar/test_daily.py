"""The `portal daily` command: wiring, bookkeeping, and purging what was abandoned."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal import clock
from portal.attestations.models import Attestation, EvidenceBlob, EvidenceFile
from portal.audit.models import AuditEvent
from portal.auth.models import StaffRole, User
from portal.calendar.models import DailyRun
from portal.organisations.models import Organisation
from tests.calendar.conftest import local_noon
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_cycle,
    create_member,
    create_staff,
)


def test_the_command_runs_the_day_and_can_run_again(app, db, cycle_2026, pledged_company,
                                                    frozen_clock, outbox):
    create_staff(db, StaffRole.ADMIN)
    frozen_clock(local_noon(date(2026, 4, 1)))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "daily"])
    assert first.exit_code == 0, first.output
    assert "reminders: 1" in first.output and "digest: 1" in first.output
    second = runner.invoke(args=["portal", "daily"])
    assert second.exit_code == 0 and "reminders: 0" in second.output
    assert [m.kind for m in outbox()] == ["reminder_open", "digest"]
    db.expire_all()
    [run] = db.query(DailyRun).all()
    assert run.run_on == date(2026, 4, 1) and run.finished_at is not None
    assert run.summary["reminders"] == 0  # the latest run of the day


def test_the_purge_age_must_be_sensible(app):
    result = app.test_cli_runner().invoke(args=["portal", "daily", "--purge-after-days", "3"])
    assert result.exit_code == 2 and "--purge-after-days" in result.output


def test_the_purge_age_comes_from_the_configuration(app, db, run_day, frozen_clock,
                                                    monkeypatch):
    frozen_clock(local_noon(date(2026, 1, 5)))
    _, never_confirmed = create_company_with_admin(db, verified=False)
    assert run_day(date(2026, 3, 10))["unverified_people"] == 0   # 64 days: under 180
    monkeypatch.setitem(app.config, "PURGE_ABANDONED_AFTER_DAYS", 60)
    assert run_day(date(2026, 3, 11))["unverified_people"] == 1
    db.expire_all()
    assert db.get(User, never_confirmed.id).erased_at is not None
    [event] = db.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "abandoned_records_purged")).scalars()
    assert event.detail["older_than_days"] == 60


def _ids(db, model):
    db.expire_all()
    return set(db.execute(sa.select(model.id)).scalars())


def test_unconfirmed_registrations_are_erased_after_the_configured_age(db, run_day,
                                                                        frozen_clock):
    frozen_clock(local_noon(date(2026, 1, 5)))
    abandoned, abandoned_user = create_company_with_admin(db, verified=False)
    joined, joined_user = create_company_with_admin(db, verified=False)
    colleague = create_member(db, joined)                    # confirmed: keeps the company
    active, active_user = create_company_with_admin(db, verified=False)
    frozen_clock(local_noon(date(2026, 5, 1)))
    active_user.last_login_at = clock.now()                  # still using the portal
    db.commit()
    recent, recent_user = create_company_with_admin(db, verified=False)
    gone_people = {abandoned_user.id, joined_user.id}
    kept_people = {colleague.id, recent_user.id, active_user.id}
    gone_company, kept_companies = abandoned.id, {joined.id, recent.id, active.id}
    summary = run_day(date(2026, 7, 10), purge_after_days=180)   # 186 days after January
    assert summary["unverified_people"] == 2 and summary["companies"] == 1
    db.expire_all()
    people = {u.id: u for u in db.execute(sa.select(User)).scalars()}
    erased = {user_id: u for user_id, u in people.items() if u.erased_at}
    assert set(erased) == gone_people and kept_people <= set(people) - set(erased)
    assert all(u.email.endswith("@erased.invalid") and u.organisation_id is None
               for u in erased.values())
    companies = _ids(db, Organisation)
    assert gone_company not in companies and kept_companies <= companies
    assert run_day(date(2026, 7, 11), purge_after_days=180)["unverified_people"] == 0
    [event] = db.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "abandoned_records_purged")).scalars()
    assert event.detail["unverified_people"] == 2 and event.personal is None


def test_abandoned_drafts_of_closed_cycles_are_deleted_with_their_files(db, run_day,
                                                                       frozen_clock):
    frozen_clock(local_noon(date(2025, 5, 1)))
    old_cycle, open_cycle = create_cycle(db, 2025), create_cycle(db, 2026)
    company, admin = create_company_with_admin(db)
    other, other_admin = create_company_with_admin(db)
    draft = create_attestation(db, company, old_cycle, status="draft")
    evidence = EvidenceFile(attestation_id=draft.id, filename="plan.pdf", size=4,
                            media_type="application/pdf", sha256="0" * 64)
    db.add(evidence)
    db.flush()
    db.add(EvidenceBlob(evidence_file_id=evidence.id, data=b"%PDF"))
    submitted = create_attestation(db, other, old_cycle, status="submitted",
                                   submitted_by=other_admin)
    frozen_clock(local_noon(date(2026, 4, 2)))
    current_draft = create_attestation(db, company, open_cycle, status="draft")
    kept = {submitted.id, current_draft.id}
    summary = run_day(date(2026, 7, 1))
    assert summary["drafts"] == 1
    assert _ids(db, Attestation) == kept
    assert _ids(db, EvidenceFile) == set() and _ids(db, EvidenceBlob) == set()
    assert run_day(date(2026, 7, 2))["drafts"] == 0
