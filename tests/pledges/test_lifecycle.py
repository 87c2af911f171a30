"""The whole pledge lifecycle through the pages: sign, new version, re-sign, withdraw."""

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.audit.models import AuditEvent
from portal.audit.service import verify_chain
from portal.auth.models import StaffRole
from portal.pledges.models import CodeVersion, Pledge
from tests.factories import create_company_with_admin, create_cycle, create_staff

SIGN = "/company/pledge/sign"
NEW_MEASURE = ("Workforce diversity data is collected (voluntary, anonymised), DE&I training is "
               "offered to all staff, and a pay-gap report is published every year.")


def soup_of(response):
    return BeautifulSoup(response.data, "html.parser")


def sign(client, name="Priya Shah"):
    return client.submit(SIGN, {"signatory_name": name, "signatory_title": "Director",
                                "is_authorised": "y", "signature": name})


def draft_version_2(client):
    """A staff admin's draft: version 1's rows with "Measure" changed (rows 1–6 prefilled)."""
    page = soup_of(client.get("/staff/code-versions/new"))
    data = {field["name"]: field.get("value", "") for field in page.select("main input")}
    data.update({t["name"]: t.get_text() for t in page.select("main textarea")})
    data["title"] = "The People Pillar, version 2"
    data["summary_of_changes"] = "“Measure” now includes publishing a pay-gap report."
    data["body_5"] = NEW_MEASURE
    return client.submit("/staff/code-versions/new", data)


def pledges_of(db, organisation):
    db.expire_all()
    return list(db.execute(sa.select(Pledge).where(
        Pledge.organisation_id == organisation.id).order_by(Pledge.id)).scalars())


def actions(db, organisation_id=None):
    query = sa.select(AuditEvent.action).order_by(AuditEvent.seq)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(db.execute(query).scalars())


def test_full_lifecycle(client, db, login_as, outbox, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    create_cycle(db, 2026)
    create_cycle(db, 2027)
    organisation, admin = create_company_with_admin(db, "Brightwave Media")
    staff_admin = create_staff(db, StaffRole.ADMIN)

    login_as(client, admin)
    assert sign(client).status_code == 302
    [first] = pledges_of(db, organisation)
    assert first.code_version.number == 1

    # Staff admin drafts, previews and publishes version 2.
    frozen_clock(datetime(2026, 9, 1, 9, 0, tzinfo=UTC))
    login_as(client, staff_admin)
    response = draft_version_2(client)
    assert response.status_code == 302
    draft = db.execute(sa.select(CodeVersion).where(CodeVersion.number.is_(None))).scalar_one()
    preview = soup_of(client.get(response.headers["Location"]))
    assert "Draft – preview" in preview.get_text()
    measure = [li for li in preview.select(".commitments li") if "Measure" in li.h3.get_text()]
    assert "Changed" in measure[0].h3.get_text() and NEW_MEASURE in measure[0].get_text()
    publish_page = soup_of(client.get(f"/staff/code-versions/{draft.id}/publish"))
    assert "1 company with a pledge on an older version" in publish_page.get_text()
    response = client.submit(f"/staff/code-versions/{draft.id}/publish")
    assert response.status_code == 302
    published = soup_of(client.get(response.headers["Location"]))
    assert "Version 2 is published. 1 company was asked to re-sign." in published.get_text()
    db.expire_all()
    assert db.get(CodeVersion, draft.id).number == 2
    [mail] = outbox(kind="code_version_published")
    assert mail.to_addr == admin.email and "31 July 2027" in mail.text_body

    # The member sees the banner, then re-signs on a page that shows what changed.
    login_as(client, admin)
    record = soup_of(client.get("/company/pledge"))
    assert "Re-signing required" in record.select_one(".notification").get_text()
    assert "31 July 2027" in record.select_one(".notification").get_text()
    overview = soup_of(client.get("/company"))
    assert "Re-signing required" in overview.select_one(".pledge-panel").get_text()
    resign_page = soup_of(client.get(SIGN))
    assert resign_page.h1.get_text(strip=True) == "Re-sign the People Pillar pledge"
    assert "What changed since version 1" in resign_page.get_text()
    assert "pay-gap report" in resign_page.select_one(".inset").get_text()
    assert sign(client, "Tom Reed").status_code == 302
    old, new = pledges_of(db, organisation)
    assert old.superseded_by_id == new.id and old.superseded_at and not old.is_active
    assert new.is_active and new.code_version.number == 2 and NEW_MEASURE in new.signed_text
    assert new.text_sha256 == hashlib.sha256(new.signed_text.encode()).hexdigest()
    assert new.reference.endswith(f"-{organisation.id:06d}-2")

    # Withdraw: the reason is required, then the pledge leaves the active slot.
    frozen_clock(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    refused = soup_of(client.submit("/company/pledge/withdraw", {"reason": ""}))
    assert "Enter why your company is withdrawing its pledge" in refused.select_one(
        ".error-summary").get_text()
    response = client.submit("/company/pledge/withdraw",
                             {"reason": "We are restructuring our learning programme."})
    assert response.status_code == 302
    withdrawn = pledges_of(db, organisation)[-1]
    assert withdrawn.withdrawn_at and withdrawn.withdrawal_reason.startswith("We are")
    assert not withdrawn.is_active
    assert {m.to_addr for m in outbox(kind="pledge_withdrawn")} == {admin.email}
    record = soup_of(client.get("/company/pledge"))
    assert "withdrew its pledge on 1 October 2026" in record.get_text()
    assert len(record.select("table tbody tr")) == 2  # the history stays

    # Signing again after a withdrawal is allowed.
    assert sign(client).status_code == 302
    latest = pledges_of(db, organisation)[-1]
    assert latest.is_active and latest.reference.endswith("-3")
    assert actions(db, organisation.id)[-4:] == [
        "pledge_signed", "pledge_resigned", "pledge_withdrawn", "pledge_signed"][-4:]
    assert {"code_version_drafted", "code_version_published"} <= set(actions(db))
    assert verify_chain(db).is_intact


def test_withdraw_without_an_active_pledge_says_so(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    response = client.get("/company/pledge/withdraw", follow_redirects=True)
    assert "no active pledge to withdraw" in soup_of(response).get_text()


def test_record_page_empty_state(client, db, login_as):
    _, admin = create_company_with_admin(db, "Nova Data Ltd")
    login_as(client, admin)
    page = soup_of(client.get("/company/pledge"))
    assert page.h1.get_text(strip=True) == "Your People Pillar pledge"
    assert "has not signed the People Pillar pledge yet" in page.get_text()
    assert "Nothing has been signed yet" in page.get_text()
    assert page.select_one("a.button")["href"] == SIGN
