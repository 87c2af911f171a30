"""What the signed-in member may do with their company's attestation, checked per request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from portal import clock
from portal.attestations import service
from portal.attestations.models import Attestation, AttestationVersion, ReportingCycle
from portal.db import session as db
from portal.permissions import own_organisation_or_404
from portal.pledges.service import active_pledge
from portal.templating import format_date


@dataclass
class MemberState:
    cycle: ReportingCycle | None
    attestation: Attestation | None
    has_pledge: bool
    today: date
    pledged_on: date | None = None

    @property
    def can_edit(self) -> bool:
        if self.cycle is None or not self.has_pledge:
            return False
        if self.attestation is None:
            return not service.is_closed_for(self.cycle, None, self.today)
        return service.is_editable(self.attestation, self.today)

    @property
    def can_submit(self) -> bool:
        return (self.can_edit and current_user.is_member_admin and current_user.is_verified)

    @property
    def deadline(self) -> date | None:
        if self.attestation is not None:
            return service.submission_deadline(self.attestation)
        return self.cycle.grace_until if self.cycle else None


    @property
    def new_signer_case(self) -> str | None:
        """"after_due" / "window": pledged too late to owe this cycle (service.new_signer_case).
        A reopened form (changes requested) is about something already submitted: not optional."""
        if self.cycle is None or not self.has_pledge:
            return None
        if self.attestation is not None and self.attestation.status == "changes_requested":
            return None
        return service.new_signer_case(self.cycle, self.pledged_on)

    @property
    def is_new_signer(self) -> bool:
        """Reporting this cycle is optional: never overdue, never late."""
        return self.new_signer_case is not None

    @property
    def next_due_on(self) -> date | None:
        """The due date for this company: the cycle's, or a later staff extension."""
        if self.cycle is None:
            return None
        return service.on_time_until(self.attestation) if self.attestation else self.cycle.due_on

    @property
    def will_be_late(self) -> bool:
        """A first submission today would be marked late (the rule of service._is_late)."""
        attestation = self.attestation
        return bool(attestation is not None and attestation.first_submitted_at is None
                    and self.is_overdue)

    @property
    def is_overdue(self) -> bool:
        """Owed, not sent, and past the due date (or this company's extension)."""
        if self.cycle is None or self.is_new_signer:
            return False
        if self.attestation is None:
            return self.today > self.cycle.due_on
        if self.attestation.status != "draft":
            return False
        return self.today > service.on_time_until(self.attestation)

    @property
    def shown_deadline(self) -> date | None:
        """The date the task list counts down to: optional reports run to the last date."""
        return self.deadline if self.is_new_signer else self.next_deadline

    @property
    def locked_reason(self) -> str:
        """Why the form cannot be changed, said where the user tried to change it."""
        attestation = self.attestation
        if self.cycle is None:
            return "No reporting cycle is open yet."
        if not self.has_pledge:
            return "Only companies that have signed the pledge file an attestation."
        if attestation is None and self.today <= self.cycle.grace_until:
            return "Fill in the sections first."
        if attestation is None:
            return f"The {self.cycle.year} attestation is closed: the last day to submit was " \
                   f"{format_date(self.deadline)}."
        status = attestation.status.value
        if status in ("submitted", "in_review"):
            return f"Your attestation was submitted on {format_date(attestation.submitted_at)} " \
                   "and is waiting for a decision, so it cannot be changed."
        if status == "approved":
            return "Your attestation was approved, so it cannot be changed."
        if status == "rejected":
            return "Your attestation was not accepted, so it cannot be changed."
        return f"The {self.cycle.year} attestation is closed: the last day to submit was " \
               f"{format_date(self.deadline)}."

    @property
    def next_deadline(self) -> date | None:
        """The date that matters next: the due date while on time, then the last date."""
        if self.cycle is None:
            return None
        if self.attestation is not None and self.attestation.status == "changes_requested":
            return self.deadline
        on_time = service.on_time_until(self.attestation) if self.attestation \
            else self.cycle.due_on
        return on_time if self.today <= on_time else self.deadline


def member_state() -> MemberState:
    today = clock.today()
    cycle = service.reporting_cycle_for(db, current_user.organisation_id, today)
    attestation = service.attestation_for(db, current_user.organisation_id, cycle) \
        if cycle else None
    pledge = active_pledge(db, current_user.organisation_id)
    pledged_on = service.first_signed_on(db, current_user.organisation_id) if pledge else None
    return MemberState(cycle, attestation, pledge is not None, today, pledged_on)


def editable_state():
    """(state, None) when the form may be edited, else (state, redirect to the task list)."""
    state = member_state()
    if not state.can_edit:
        flash(f"You cannot change the attestation now. {state.locked_reason}", "warning")
        return state, redirect(url_for("attestations.index"))
    return state, None


def started(state: MemberState) -> Attestation:
    """The draft, created on the first save so merely looking at a page writes nothing."""
    if state.attestation is None:
        state.attestation = service.start_attestation(
            db, current_user.organisation, state.cycle, current_user)
    return state.attestation


def version_or_404(version_id: int) -> AttestationVersion:
    version = db.get(AttestationVersion, version_id)
    if version is None:
        abort(404)
    own_organisation_or_404(version.attestation)
    return version
