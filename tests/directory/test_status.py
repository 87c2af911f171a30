"""DESIGN §3: the statuses the public sees, at each date around a cycle's deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.directory.status import StatusCode, public_status, public_statuses, status_timeline
from portal.pledges.models import CodeVersion
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)

SIGNED_EARLY = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


def _pledged_company(db, name="Status Test Ltd", signed_at=SIGNED_EARLY, **overrides):
    organisation, admin = create_company_with_admin(db, name, **overrides)
    create_pledge(db, organisation, admin, signed_at=signed_at)
    return organisation


def _status(db, organisation, day):
    db.expire_all()
    return public_status(db, organisation, day)


def test_pledged_when_no_cycle_has_opened(db):
    organisation = _pledged_company(db)
    create_cycle(db, 2026)
    status = _status(db, organisation, date(2026, 3, 31))
    assert (status.code, status.label, status.is_listed) == (StatusCode.PLEDGED, "Pledged", True)


@pytest.mark.parametrize(("day", "label"), [
    (date(2026, 4, 1), "Reporting due 2026"),
    (date(2026, 7, 31), "Reporting due 2026"),   # due_on itself is still on time
    (date(2026, 8, 1), "Overdue 2026"),
    (date(2026, 12, 31), "Overdue 2026"),        # last day of grace
    (date(2027, 1, 1), "Non-reporting 2026"),
    (date(2027, 3, 1), "Non-reporting 2026"),    # the latest closed cycle until 2027 opens
])
def test_nothing_submitted_around_due_on_and_grace_until(db, day, label):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    create_attestation(db, organisation, cycle, status="draft")
    status = _status(db, organisation, day)
    assert status.label == label
    assert status.year == 2026
    assert status.is_listed and status.http_status == 200


@pytest.mark.parametrize("day", [date(2026, 8, 15), date(2027, 2, 1)])
def test_submitted_on_time_is_never_overdue_while_staff_decide(db, day):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    create_attestation(db, organisation, cycle, status="in_review",
                       submitted_at=datetime(2026, 7, 30, tzinfo=UTC))
    assert _status(db, organisation, day).label == "Under review 2026"


def test_approved_with_certificate_is_certified(db):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    create_certificate(db, organisation, cycle, issued_at=datetime(2026, 6, 1, tzinfo=UTC))
    status = _status(db, organisation, date(2026, 9, 1))
    assert (status.code, status.label, status.colour) == (StatusCode.CERTIFIED,
                                                         "Certified 2026", "green")
    assert status.secondary is None


def test_last_cycles_certificate_is_shown_beside_the_open_cycle_until_it_expires(db):
    organisation = _pledged_company(db)
    old = create_cycle(db, 2025)
    create_certificate(db, organisation, old, valid_until=date(2026, 7, 31))
    create_cycle(db, 2026)
    status = _status(db, organisation, date(2026, 5, 1))
    assert status.label == "Certified 2025"
    assert status.secondary.label == "Reporting due 2026"
    # Expired the day after valid_until: only the open cycle's status remains.
    assert _status(db, organisation, date(2026, 8, 1)).label == "Overdue 2026"


def test_revoked_certificate_does_not_count(db):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    create_certificate(db, organisation, cycle, revoked_at=datetime(2026, 7, 1, tzinfo=UTC))
    assert _status(db, organisation, date(2026, 8, 1)).code != StatusCode.CERTIFIED


@pytest.mark.parametrize(("signed_on", "label"), [
    (datetime(2026, 6, 15, tzinfo=UTC), "Pledged"),        # inside the 60-day window
    (datetime(2026, 5, 1, tzinfo=UTC), "Overdue 2026"),   # before it: must report
])
def test_new_signers_report_from_the_next_cycle(db, signed_on, label):
    organisation = _pledged_company(db, signed_at=signed_on)
    create_cycle(db, 2026)
    assert _status(db, organisation, date(2026, 8, 15)).label == label


def test_extension_moves_the_due_date(db):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    attestation = create_attestation(db, organisation, cycle)
    attestation.extended_until = date(2026, 9, 30)
    db.commit()
    assert _status(db, organisation, date(2026, 9, 30)).label == "Reporting due 2026"
    assert _status(db, organisation, date(2026, 10, 1)).label == "Overdue 2026"


def test_rejected_is_non_reporting(db):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    create_attestation(db, organisation, cycle, status="rejected")
    assert _status(db, organisation, date(2026, 9, 1)).label == "Non-reporting 2026"


def test_changes_requested_counts_as_under_review_until_its_own_deadline(db):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    attestation = create_attestation(db, organisation, cycle, status="changes_requested",
                                     submitted_at=datetime(2026, 12, 1, tzinfo=UTC))
    attestation.changes_due_on = date(2027, 1, 14)
    db.commit()
    assert _status(db, organisation, date(2027, 1, 14)).label == "Under review 2026"
    assert _status(db, organisation, date(2027, 1, 15)).label == "Non-reporting 2026"


def test_withdrawn_is_gone_with_its_date(db):
    organisation = _pledged_company(db)
    pledge = organisation_pledge(db, organisation)
    pledge.withdrawn_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    pledge.active_organisation_id = None
    db.commit()
    status = _status(db, organisation, date(2026, 4, 1))
    assert (status.code, status.http_status, status.is_listed) == (StatusCode.WITHDRAWN, 410,
                                                                  False)
    assert status.since == date(2026, 3, 2)


def test_delisting_takes_precedence_over_a_certificate(db):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2026)
    create_certificate(db, organisation, cycle)
    organisation.delisted_at = datetime(2026, 9, 1, tzinfo=UTC)
    organisation.delisted_reason = "Misrepresented its learning hours."
    db.commit()
    status = _status(db, organisation, date(2026, 9, 2))
    assert (status.code, status.http_status) == (StatusCode.DELISTED, 410)
    assert status.reason == "Misrepresented its learning hours."


def test_company_that_never_pledged_has_no_public_profile(db):
    organisation, _ = create_company_with_admin(db, "Never Pledged Ltd")
    status = _status(db, organisation, date(2026, 4, 1))
    assert (status.code, status.http_status, status.is_listed) == (StatusCode.NOT_PLEDGED, 404,
                                                                  False)


def test_opting_out_hides_from_the_list_but_keeps_the_status(db):
    organisation = _pledged_company(db)
    organisation.is_listed = False
    db.commit()
    status = _status(db, organisation, date(2026, 4, 1))
    assert status.code == StatusCode.PLEDGED and not status.is_listed


@pytest.mark.parametrize(("day", "listed"), [
    (date(2026, 7, 31), False),  # reporting due: still in good standing, may stay hidden
    (date(2026, 8, 1), True),    # overdue: listed whatever the company chose
    (date(2027, 1, 1), True),    # non-reporting
])
def test_nobody_hides_a_lapse_by_opting_out(db, day, listed):
    organisation = _pledged_company(db)
    organisation.is_listed = False
    db.commit()
    create_cycle(db, 2026)
    status = _status(db, organisation, day)
    assert status.is_listed is listed
    assert status.may_opt_out is not listed


def test_an_earlier_certificate_does_not_hide_an_overdue_cycle(db):
    organisation = _pledged_company(db)
    organisation.is_listed = False
    db.commit()
    create_certificate(db, organisation, create_cycle(db, 2025), valid_until=date(2026, 12, 31))
    create_cycle(db, 2026)
    status = _status(db, organisation, date(2026, 8, 1))
    assert (status.label, status.secondary.label) == ("Certified 2025", "Overdue 2026")
    assert status.is_listed and not status.is_good_standing


def _publish_version_2(db, on: datetime):
    db.add(CodeVersion(number=2, title="People Pillar v2", commitments=[], published_at=on))
    db.commit()


@pytest.mark.parametrize(("day", "code"), [
    (date(2026, 7, 31), StatusCode.REPORTING_DUE),
    (date(2026, 8, 1), StatusCode.LAPSED),
])
def test_old_version_pledge_lapses_after_the_next_cycles_due_date(db, day, code):
    organisation = _pledged_company(db)
    create_cycle(db, 2026)  # opens 1 April, after version 2 is published
    _publish_version_2(db, datetime(2026, 2, 1, tzinfo=UTC))
    status = _status(db, organisation, day)
    assert status.code == code
    if code == StatusCode.LAPSED:
        assert not status.is_listed and status.http_status == 200


def test_lapse_rule_agrees_with_the_pledge_service(db):
    from portal.pledges import service

    counts_on = getattr(service, "pledge_counts_on", None)
    if counts_on is None:
        pytest.skip("portal.pledges.service.pledge_counts_on is not there yet")
    organisation = _pledged_company(db)
    create_cycle(db, 2026)
    _publish_version_2(db, datetime(2026, 2, 1, tzinfo=UTC))
    pledge = organisation_pledge(db, organisation)
    for day in (date(2026, 7, 31), date(2026, 8, 1)):
        lapsed = _status(db, organisation, day).code == StatusCode.LAPSED
        assert lapsed is not counts_on(db, pledge, day)


def test_bulk_form_uses_a_fixed_number_of_queries(db, count_queries):
    cycle = create_cycle(db, 2026)
    companies = [_pledged_company(db, f"Bulk {n} Ltd") for n in range(12)]
    create_certificate(db, companies[0], cycle)
    create_attestation(db, companies[1], cycle, status="submitted")
    with count_queries() as few:
        few_statuses = public_statuses(db, companies[:2], date(2026, 8, 15))
    with count_queries() as many:
        statuses = public_statuses(db, companies, date(2026, 8, 15))
    assert few.count == many.count <= 4
    assert few_statuses == {c.id: statuses[c.id] for c in companies[:2]}
    assert [statuses[c.id].label for c in companies[:3]] == [
        "Certified 2026", "Under review 2026", "Overdue 2026"]
    for company in companies:
        assert statuses[company.id] == public_status(db, company, date(2026, 8, 15))


def test_timeline_tells_the_story_with_dates(db):
    organisation = _pledged_company(db)
    old = create_cycle(db, 2025)
    approved = create_attestation(db, organisation, old, status="approved",
                                  submitted_at=datetime(2025, 6, 2, tzinfo=UTC))
    create_certificate(db, organisation, old, approved,
                       issued_at=datetime(2025, 6, 2, tzinfo=UTC), number="PP-2025-000001-5")
    create_cycle(db, 2026)
    db.expire_all()
    entries = status_timeline(db, organisation, date(2027, 1, 5))
    assert [(e.on, e.label) for e in entries] == [
        (date(2025, 1, 10), "Pledged"),
        (date(2025, 6, 2), "Reported for 2025"),
        (date(2025, 6, 2), "Certified 2025"),
        (date(2026, 8, 1), "Overdue 2026"),
        (date(2027, 1, 1), "Non-reporting 2026"),
    ]
    assert entries[2].verification_id


def organisation_pledge(db, organisation):
    from portal.pledges.service import active_pledge

    return active_pledge(db, organisation.id)


def test_timeline_shows_withdrawal_revocation_lapse_and_delisting(db):
    organisation = _pledged_company(db)
    cycle = create_cycle(db, 2025)
    create_certificate(db, organisation, cycle, issued_at=datetime(2025, 6, 2, tzinfo=UTC),
                       revoked_at=datetime(2025, 9, 1, tzinfo=UTC))
    _publish_version_2(db, datetime(2026, 2, 1, tzinfo=UTC))
    create_cycle(db, 2026)
    organisation.delisted_at = datetime(2026, 9, 10, tzinfo=UTC)
    organisation.delisted_reason = "Certificate obtained with false figures."
    db.commit()
    labels = {(e.on, e.label) for e in status_timeline(db, organisation, date(2026, 9, 20))}
    assert {(date(2025, 9, 1), "Certificate for 2025 revoked"),
            (date(2026, 8, 1), "Lapsed"),
            (date(2026, 9, 10), "Delisted")} <= labels


def test_timeline_of_a_withdrawn_company(db):
    organisation = _pledged_company(db)
    pledge = organisation_pledge(db, organisation)
    pledge.withdrawn_at = datetime(2025, 3, 2, tzinfo=UTC)
    pledge.active_organisation_id = None
    db.commit()
    create_cycle(db, 2025)
    entries = [(e.on, e.label) for e in status_timeline(db, organisation, date(2026, 1, 5))]
    # Withdrawn before the cycle's due date: nothing was owed, so no overdue entry.
    assert entries == [(date(2025, 1, 10), "Pledged"), (date(2025, 3, 2), "Withdrew the pledge")]
