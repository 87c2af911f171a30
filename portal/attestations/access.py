"""What the signed-in member may do with their company's attestation, checked per request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from portal import clock
from portal.attestations import service
from portal.attestations.models import Attestation, AttestationVersion, ReportingCycle
from portal.db import session as db
from portal.permissions import own_organisation_or_404
from portal.pledges.service import active_pledge


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
    def is_new_signer(self) -> bool:
        """Pledged inside the cycle's new-signer window: reporting this cycle is optional."""
        if self.cycle is None or self.pledged_on is None:
            return False
        window_opens = self.cycle.due_on - timedelta(days=self.cycle.new_signer_window_days)
        return self.pledged_on > window_opens

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
    pledged_on = clock.local(pledge.signed_at).date() if pledge else None
    return MemberState(cycle, attestation, pledge is not None, today, pledged_on)


def editable_state():
    """(state, None) when the form may be edited, else (state, redirect to the task list)."""
    state = member_state()
    if not state.can_edit:
        flash("The attestation cannot be changed now: the task list says why.", "warning")
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
