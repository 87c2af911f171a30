"""Decisions, the request-changes loop, conflicts of interest and risk flags on submit."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa
from flask import current_app

from portal import signals
from portal.attestations.models import AttestationStatus
from portal.audit.models import AuditEvent
from portal.certificates.models import Certificate
from portal.review import service
from portal.review.models import Decision, Review, RiskFlag
from portal.review.queries import diff_answers, review_page
from tests.factories import GOOD_ANSWERS, add_attestation_version, create_member


def _send_submitted(db, attestation, version, actor):
    signals.attestation_submitted.send(current_app._get_current_object(), db=db,
                                       attestation=attestation, version=version, actor=actor)


def _events(db, action):
    return list(db.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_submission_signal_computes_flags_once_per_version(db, world):
    attestation = world["attestation"]
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["dei"]["policy_url"] = None
    version = add_attestation_version(db, attestation, answers=answers,
                                      submitted_by=world["admin"])
    _send_submitted(db, attestation, version, world["admin"])
    _send_submitted(db, attestation, version, world["admin"])  # a retried signal
    db.commit()
    codes = list(db.execute(sa.select(RiskFlag.code).where(
        RiskFlag.attestation_version_id == version.id)).scalars())
    assert codes == ["no_dei_policy_url"]


def test_request_changes_loop_creates_a_new_version_with_a_diff(db, world, outbox):
    attestation, reviewer = world["attestation"], world["reviewer"]
    service.request_changes(db, reviewer, attestation,
                            {"learning": "Explain how the hours were recorded.", "dei": ""})
    db.commit()
    assert attestation.status == AttestationStatus.CHANGES_REQUESTED
    assert attestation.review_messages == {"learning": "Explain how the hours were recorded."}
    assert attestation.changes_due_on.isoformat() == "2026-06-29"
    mail = outbox(kind="review_changes_requested")
    assert [m.to_addr for m in mail] == [world["admin"].email]
    assert "Explain how the hours were recorded." in mail[0].text_body

    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["learning"]["recording_methods"] = ["lms", "timesheets"]
    version = add_attestation_version(db, attestation, answers=answers,
                                      submitted_by=world["admin"])
    _send_submitted(db, attestation, version, world["admin"])
    db.commit()
    page = review_page(db, attestation)
    assert [v.number for v in page.versions] == [1, 2]
    [change] = page.diffs[2]
    assert (change.section, change.field, change.before, change.after) == (
        "learning", "recording_methods", ["lms"], ["lms", "timesheets"])
    assert page.flags == []  # it changed something: no "unchanged" flag

    service.approve(db, reviewer, attestation)
    db.commit()
    assert attestation.status == AttestationStatus.APPROVED
    decisions = list(db.execute(sa.select(Review.decision).order_by(Review.id)).scalars())
    assert decisions == [Decision.CHANGES_REQUESTED, Decision.APPROVED]
    assert len(_events(db, "attestation_changes_requested")) == 1
    assert len(_events(db, "attestation_approved")) == 1


def test_resubmitting_unchanged_after_a_change_request_is_flagged(db, world):
    attestation = world["attestation"]
    service.request_changes(db, world["reviewer"], attestation, {"dei": "Add the policy URL."})
    version = add_attestation_version(db, attestation, submitted_by=world["admin"])
    _send_submitted(db, attestation, version, world["admin"])
    db.commit()
    assert [f.code for f in review_page(db, attestation).flags] == [
        "unchanged_after_change_request"]
    assert review_page(db, attestation).diffs[2] == []


def test_approval_issues_a_certificate_and_mails_the_admins(db, world, outbox):
    attestation = world["attestation"]
    service.approve(db, world["reviewer"], attestation, "Checked against last year.")
    db.commit()
    certificate = db.execute(sa.select(Certificate).where(
        Certificate.attestation_id == attestation.id)).scalar_one()
    assert certificate.organisation_id == world["organisation"].id
    [mail] = outbox(kind="review_approved")
    assert mail.to_addr == world["admin"].email
    assert "http://localhost/company/certificates" in mail.text_body
    [event] = _events(db, "attestation_approved")
    assert event.actor_id == world["reviewer"].id and event.object_id == str(attestation.id)


def test_rejection_needs_a_reason_and_is_shown_to_the_company(db, world, outbox):
    attestation = world["attestation"]
    with pytest.raises(service.ReviewError, match="Enter the reason"):
        service.reject(db, world["reviewer"], attestation, "")
    service.reject(db, world["reviewer"], attestation, "No learning records were kept.")
    db.commit()
    assert attestation.status == AttestationStatus.REJECTED
    assert attestation.decision_reason == "No learning records were kept."
    assert "No learning records were kept." in outbox(kind="review_rejected")[0].text_body
    with pytest.raises(service.ReviewError, match="not waiting for a decision"):
        service.approve(db, world["reviewer"], attestation)


def test_a_staff_admin_reopens_a_rejection_on_appeal(db, world):
    attestation = world["attestation"]
    service.reject(db, world["reviewer"], attestation, "No records.")
    service.reopen_on_appeal(db, world["staff_admin"], attestation, "Records found on appeal.")
    db.commit()
    assert attestation.status == AttestationStatus.SUBMITTED
    assert attestation.decided_at is None
    [event] = _events(db, "attestation_reopened")
    assert event.actor_id == world["staff_admin"].id


def test_a_reviewer_cannot_decide_on_their_own_company(db, world):
    attestation = world["attestation"]
    insider = world["reviewer"]
    insider.organisation_id = world["organisation"].id
    db.commit()
    for decide in (lambda: service.approve(db, insider, attestation),
                   lambda: service.reject(db, insider, attestation, "x"),
                   lambda: service.request_changes(db, insider, attestation, {"dei": "x"}),
                   lambda: service.assign_to(db, insider, attestation)):
        with pytest.raises(service.ReviewError, match="belong to this company"):
            decide()
    assert attestation.status == AttestationStatus.SUBMITTED


def test_whoever_submitted_cannot_decide(db, world):
    attestation = world["attestation"]
    staff_member = create_member(db, world["organisation"])
    staff_member.organisation_id, staff_member.staff_role = None, "reviewer"
    attestation.submitted_by_id = staff_member.id
    db.commit()
    assert "submitted this attestation" in service.conflict_of_interest(
        db, staff_member, attestation)


def test_diff_answers_lists_added_removed_and_changed_fields():
    before = {"workforce": {"headcount": 100, "fte": None}, "narrative": {"plans": "x"}}
    after = {"workforce": {"headcount": 120}, "dei": {"policy_url": "https://a.example"}}
    changes = {(c.section, c.field): (c.before, c.after) for c in diff_answers(before, after)}
    assert changes == {("workforce", "headcount"): (100, 120),
                       ("narrative", "plans"): ("x", None),
                       ("dei", "policy_url"): (None, "https://a.example")}


def test_two_reviewers_deciding_at_once_only_one_wins(app, db, world):
    """Reviewer B's page was loaded before A approved: B's rejection must fail, not win."""
    from portal.db import get_session

    attestation = world["attestation"]
    with app.test_request_context():
        other = get_session()  # the second reviewer's request, its own transaction
        stale = other.get(type(attestation), attestation.id)
        assert stale.status == AttestationStatus.SUBMITTED
        service.approve(db, world["reviewer"], attestation)
        db.commit()
        with pytest.raises(service.ReviewError, match="Another reviewer has just decided"):
            service.reject(other, world["staff_admin"], stale, "Too late.")
        other.rollback()
    db.expire_all()
    assert attestation.status == AttestationStatus.APPROVED
    assert [d.value for d in db.execute(sa.select(Review.decision)).scalars()] == ["approved"]
