"""Whether a pledge counts: re-signing deadlines, withdrawal, supersession (the contract other
domains rely on), and the canonical text that is hashed."""

from datetime import UTC, date, datetime

import pytest

from portal.pledges import service
from tests.factories import create_company_with_admin, create_cycle
from tests.pledges.helpers import publish_code_version, sign_pledge_as

V2_PUBLISHED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def v1_pledge(db, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    organisation, admin = create_company_with_admin(db, "Peak District Research")
    return sign_pledge_as(db, organisation, admin)


def test_a_current_pledge_counts_from_the_day_it_was_signed(db, v1_pledge):
    assert service.pledge_counts_on(db, v1_pledge, date(2026, 3, 2))
    assert not service.pledge_counts_on(db, v1_pledge, date(2026, 3, 1))
    assert service.pledge_counts_on(db, v1_pledge, date(2030, 1, 1))
    assert not service.resign_required(db, v1_pledge)


def test_an_old_pledge_counts_until_the_next_cycles_due_date(db, v1_pledge):
    create_cycle(db, 2026)  # opened before version 2: not "the next" cycle
    create_cycle(db, 2027)
    publish_code_version(db, published_at=V2_PUBLISHED)
    assert service.resign_required(db, v1_pledge)
    assert service.resign_deadline(db, v1_pledge) == date(2027, 7, 31)
    assert service.pledge_counts_on(db, v1_pledge, date(2027, 7, 31))
    assert not service.pledge_counts_on(db, v1_pledge, date(2027, 8, 1))


def test_without_a_next_cycle_there_is_no_deadline_yet(db, v1_pledge):
    create_cycle(db, 2026)
    publish_code_version(db, published_at=V2_PUBLISHED)
    assert service.resign_required(db, v1_pledge)
    assert service.resign_deadline(db, v1_pledge) is None
    assert service.pledge_counts_on(db, v1_pledge, date(2028, 1, 1))


def test_resigning_replaces_the_old_pledge(db, v1_pledge, frozen_clock):
    create_cycle(db, 2027)
    publish_code_version(db, published_at=V2_PUBLISHED)
    frozen_clock(datetime(2026, 10, 5, 10, 0, tzinfo=UTC))
    new = sign_pledge_as(db, v1_pledge.organisation, _user(db, v1_pledge.signed_by_id))
    db.refresh(v1_pledge)
    assert v1_pledge.superseded_by_id == new.id and not service.resign_required(db, new)
    assert not service.resign_required(db, v1_pledge)  # no longer active
    assert service.pledge_counts_on(db, v1_pledge, date(2026, 10, 4))
    assert not service.pledge_counts_on(db, v1_pledge, date(2026, 10, 5))
    assert service.pledge_counts_on(db, new, date(2026, 10, 5))
    assert service.pledge_state(db, v1_pledge, date(2026, 10, 5)) == "superseded"


def test_signing_the_same_version_twice_is_refused(db, v1_pledge):
    with pytest.raises(service.AlreadySigned):
        sign_pledge_as(db, v1_pledge.organisation, _user(db, v1_pledge.signed_by_id))


def test_a_withdrawn_pledge_stops_counting_that_day(db, v1_pledge, frozen_clock):
    frozen_clock(datetime(2026, 6, 10, 10, 0, tzinfo=UTC))
    actor = _user(db, v1_pledge.signed_by_id)
    service.withdraw_pledge(db, v1_pledge.organisation, actor, "Closing down")
    db.commit()
    assert service.pledge_counts_on(db, v1_pledge, date(2026, 6, 9))
    assert not service.pledge_counts_on(db, v1_pledge, date(2026, 6, 10))
    assert service.active_pledge(db, v1_pledge.organisation_id) is None
    assert service.pledge_state(db, v1_pledge, date(2026, 6, 10)) == "withdrawn"
    with pytest.raises(service.NoActivePledge):
        service.withdraw_pledge(db, v1_pledge.organisation, actor, "Again")


def test_past_the_deadline_the_pledge_is_lapsed(db, v1_pledge):
    create_cycle(db, 2027)
    publish_code_version(db, published_at=V2_PUBLISHED)
    assert service.pledge_state(db, v1_pledge, date(2027, 7, 31)) == "resign_required"
    assert service.pledge_state(db, v1_pledge, date(2027, 8, 1)) == "lapsed"


def test_canonical_text_is_stable_plain_text(db):
    version = service.current_code_version(db)
    text = service.canonical_text(version, "Café <b>Crème</b> & Co")
    assert text.startswith("The People Pillar, version 1\nCode version 1\n\n"
                           "Café <b>Crème</b> & Co commits to the People Pillar")
    assert "\n1. Protected learning time\nEvery employee is offered" in text
    assert text.endswith("An attestation is submitted for every reporting cycle.\n")
    assert service.sha256_text(text) == service.sha256_text(
        service.canonical_text(version, "Café <b>Crème</b> & Co"))


def _user(db, user_id):
    from portal.auth.models import User

    return db.get(User, user_id)


def test_publishing_tells_each_company_its_own_deadline(db, v1_pledge, frozen_clock, outbox):
    from portal.pledges import versions
    from tests.factories import create_staff

    create_cycle(db, 2027)
    create_cycle(db, 2028)
    publish_code_version(db, published_at=V2_PUBLISHED)
    frozen_clock(datetime(2027, 9, 1, 9, 0, tzinfo=UTC))  # version 1's deadline has passed
    staff = create_staff(db)
    draft = versions.create_draft(db, staff, {"title": "Version 3", "summary_of_changes": "x",
                                              "commitments": [{"heading": "A", "body": "B"}]})
    assert versions.publish_version(db, staff, draft) == 1
    db.commit()
    [mail] = outbox(kind="code_version_published")
    assert "stopped counting on 31 July 2027" in mail.text_body
    assert "Re-sign the People Pillar: version 3" in mail.subject


def test_canonical_text_reads_back_exactly(db):
    version = service.current_code_version(db)
    text = service.canonical_text(version, "Harbour & Finch")
    parsed = service.parse_canonical_text(text)
    assert parsed["company"] == "Harbour & Finch" and parsed["number"] == 1
    assert parsed["commitments"] == version.commitments
    assert service.parse_canonical_text(text.replace("Code version 1", "Version 1")) is None
    assert service.parse_canonical_text("Brightwave commits to the pledge.") is None
