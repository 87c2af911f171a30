"""Staff admins draft, preview, publish and delete code versions; published ones never change."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.auth.models import StaffRole
from portal.pledges.models import CodeVersion
from tests.factories import create_company_with_admin, create_staff

NEW = "/staff/code-versions/new"


def soup_of(response):
    return BeautifulSoup(response.data, "html.parser")


def version_data(**changes):
    data = {"title": "The People Pillar, version 2", "summary_of_changes": "Adds pay gaps.",
            "heading_1": "Protected learning time", "body_1": "One hour a week.",
            "heading_2": "", "body_2": "", "heading_3": "Pay gap", "body_3": "Publish it."}
    data.update(changes)
    return data


@pytest.fixture
def staff_admin(client, db, login_as):
    user = create_staff(db, StaffRole.ADMIN)
    login_as(client, user)
    return user


def test_version_1_comes_from_the_migration(client, db, staff_admin):
    page = soup_of(client.get("/staff/code-versions"))
    assert page.h1.get_text(strip=True) == "Code versions"
    assert "There are no drafts." in page.get_text()
    [row] = page.select("table")[-1].select("tbody tr")
    assert "Current" in row.get_text() and "The People Pillar, version 1" in row.get_text()
    version = db.execute(sa.select(CodeVersion).where(CodeVersion.number == 1)).scalar_one()
    assert [c["heading"] for c in version.commitments] == [
        "Protected learning time", "Record and review", "Published DE&I policy",
        "Inclusive recruitment and progression", "Measure", "Report annually"]


def test_new_draft_starts_from_the_current_version(client, staff_admin):
    page = soup_of(client.get(NEW))
    assert page.select_one("#title")["value"] == "The People Pillar, version 2"
    assert page.select_one("#heading_6")["value"] == "Report annually"
    assert page.select_one("#heading_7").get("value", "") == ""
    assert len(page.select("fieldset.commitment-row")) == 10


def test_blank_rows_are_ignored_and_order_kept(client, db, staff_admin):
    response = client.submit(NEW, version_data())
    assert response.status_code == 302
    draft = db.execute(sa.select(CodeVersion).where(CodeVersion.number.is_(None))).scalar_one()
    assert [c["heading"] for c in draft.commitments] == ["Protected learning time", "Pay gap"]
    assert draft.published_at is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Enter a title for this version"),
    ({"summary_of_changes": ""}, "summary_of_changes",
     "Enter a plain-language summary of what changed"),
    ({"heading_3": ""}, "heading_3", "Enter a heading for commitment 3"),
    ({"body_3": ""}, "body_3", "Enter the text of commitment 3"),
    ({"heading_1": "", "body_1": "", "heading_3": "", "body_3": ""}, "heading_1",
     "Enter at least one commitment"),
    ({"heading_3": "h" * 121}, "heading_3",
     "Heading 3 must be 120 characters or fewer (remove 1 character)"),
])
def test_invalid_drafts_are_explained_and_kept(client, db, staff_admin, changes, field,
                                               message):
    response = client.submit(NEW, version_data(**changes))
    assert response.status_code == 200
    page = soup_of(response)
    assert page.title.get_text().startswith("Error: ")
    links = {a["href"]: a.get_text() for a in page.select(".error-summary a")}
    assert links[f"#{field}"] == message
    assert message in page.select_one(f"#{field}-error").get_text()
    if field != "body_3" and "body_3" not in changes:
        assert page.select_one("#body_3").get_text() == "Publish it."
    assert db.execute(sa.select(sa.func.count()).select_from(CodeVersion)).scalar_one() == 1


def test_edit_preview_publish_then_immutable(client, db, staff_admin, outbox):
    client.submit(NEW, version_data())
    draft = db.execute(sa.select(CodeVersion).where(CodeVersion.number.is_(None))).scalar_one()
    response = client.submit(f"/staff/code-versions/{draft.id}/edit",
                             version_data(title="People Pillar 2026"))
    assert response.status_code == 302
    preview = soup_of(client.get(f"/staff/code-versions/{draft.id}"))
    assert preview.h1.get_text(strip=True) == "People Pillar 2026"
    tags = {li.h3.get_text(" ", strip=True) for li in preview.select(".commitments li")}
    assert "Pay gap New" in tags
    assert "Removed since version 1: Record and review" in preview.get_text()
    assert "0 companies with a pledge" in soup_of(
        client.get(f"/staff/code-versions/{draft.id}/publish")).get_text()
    assert client.submit(f"/staff/code-versions/{draft.id}/publish").status_code == 302
    db.expire_all()
    assert db.get(CodeVersion, draft.id).number == 2
    assert outbox(kind="code_version_published") == []
    for url in (f"/staff/code-versions/{draft.id}/edit", f"/staff/code-versions/{draft.id}/publish",
                f"/staff/code-versions/{draft.id}/delete"):
        response = client.get(url, follow_redirects=True)
        assert "Version 2 is published and can no longer be changed" in response.get_data(
            as_text=True)
    token = client.csrf_token(NEW)
    client.post(f"/staff/code-versions/{draft.id}/edit", data=version_data(
        title="Sneaky", csrf_token=token))
    db.expire_all()
    assert db.get(CodeVersion, draft.id).title == "People Pillar 2026"


def test_two_drafts_published_at_once_keep_one_number(client, db, staff_admin, monkeypatch):
    """The second publisher read "version 1 is current" before the first committed."""
    from portal.pledges import versions

    for title in ("First draft", "Second draft"):
        client.submit(NEW, version_data(title=title))
    first, second = db.execute(sa.select(CodeVersion).where(CodeVersion.number.is_(None))
                               .order_by(CodeVersion.id)).scalars()
    client.submit(f"/staff/code-versions/{first.id}/publish")
    version_1 = db.execute(sa.select(CodeVersion).where(CodeVersion.number == 1)).scalar_one()
    token = client.csrf_token(NEW)
    monkeypatch.setattr(versions, "current_code_version", lambda db: version_1)
    response = client.post(f"/staff/code-versions/{second.id}/publish",
                           data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "Another version was published at the same moment" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(CodeVersion, second.id).number is None
    assert db.get(CodeVersion, first.id).number == 2


def test_delete_a_draft(client, db, staff_admin):
    client.submit(NEW, version_data())
    draft = db.execute(sa.select(CodeVersion).where(CodeVersion.number.is_(None))).scalar_one()
    confirm = soup_of(client.get(f"/staff/code-versions/{draft.id}/delete"))
    assert confirm.h1.get_text(strip=True).startswith("Are you sure")
    draft_id = draft.id
    response = client.submit(f"/staff/code-versions/{draft_id}/delete")
    assert response.status_code == 302
    assert "was deleted" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.expire_all()
    assert db.get(CodeVersion, draft_id) is None


def test_reviewers_read_but_cannot_change_versions(client, db, login_as):
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    page = soup_of(client.get("/staff/code-versions"))
    assert page.select_one("a[href='/staff/code-versions/new']") is None
    assert client.get("/staff/code-versions/1").status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.get("/staff/code-versions/1/publish").status_code == 403


def test_members_cannot_reach_code_versions(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    assert client.get("/staff/code-versions").status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.get("/staff/code-versions/999").status_code == 403


def test_unknown_version_is_404(client, staff_admin):
    assert client.get("/staff/code-versions/999").status_code == 404
    assert client.get("/staff/code-versions/999/edit").status_code == 404


def test_line_breaks_in_a_commitment_become_spaces(client, db, staff_admin):
    client.submit(NEW, version_data(body_3="Publish it\r\n\r\nevery   year."))
    draft = db.execute(sa.select(CodeVersion).where(CodeVersion.number.is_(None))).scalar_one()
    assert draft.commitments[-1]["body"] == "Publish it every year."
