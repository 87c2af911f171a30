"""The attestation panel on the company overview (/company)."""

from __future__ import annotations

from portal import clock
from portal.attestations import service
from portal.pledges.service import active_pledge

MESSAGES = {
    "draft": ("Your attestation for this cycle is not submitted yet.", "Continue the attestation"),
    "submitted": ("Submitted: our reviewers will decide within 10 working days.",
                  "View the attestation"),
    "in_review": ("A reviewer is checking your attestation.", "View the attestation"),
    "changes_requested": ("Our reviewers asked for changes.", "Make the changes"),
    "approved": ("Approved.", "View the attestation"),
    "rejected": ("Not accepted: see the reason.", "View the decision"),
}


def company_panel(db, organisation, user) -> dict | None:
    today = clock.today()
    cycle = service.current_cycle(db, today)
    if cycle is None or active_pledge(db, organisation.id) is None:
        return None
    attestation = service.attestation_for(db, organisation.id, cycle)
    status = attestation.status.value if attestation else "draft"
    message, link_text = MESSAGES[status]
    if attestation is None:
        message, link_text = "Nothing started yet for this cycle.", "Start the attestation"
    editable = attestation is None or attestation.status in service.EDITABLE
    deadline = (service.submission_deadline(attestation) if attestation
                else cycle.grace_until) if editable else None
    if editable and deadline and today <= cycle.due_on and status == "draft":
        deadline = service.on_time_until(attestation) if attestation else cycle.due_on
    return {
        "year": cycle.year, "status": status, "message": message, "link_text": link_text,
        "deadline": deadline, "days_left": (deadline - today).days if deadline else None,
        "is_late": bool(attestation and attestation.is_late),
    }
