"""The attestation panel on the company overview (/company)."""

from __future__ import annotations

from portal import clock
from portal.attestations import service
from portal.pledges.service import active_pledge
from portal.templating import format_date

MESSAGES = {
    "not_started": ("Nothing started yet for this cycle.", "Start the attestation"),
    "draft": ("Your attestation for this cycle is not submitted yet.", "Continue the attestation"),
    "submitted": ("Submitted: our reviewers will decide within 10 working days.",
                  "View the attestation"),
    "in_review": ("A reviewer is checking your attestation.", "View the attestation"),
    "changes_requested": ("Our reviewers asked for changes.", "Make the changes"),
    "approved": ("Approved.", "View the attestation"),
    "rejected": ("Not accepted: see the reason.", "View the decision"),
}


def _new_signer_message(cycle, signed_on, case: str) -> str:
    when = (f"after the {cycle.year} due date" if case == "after_due" else
            f"less than {cycle.new_signer_window_days} days before the {cycle.year} due date")
    when += f" ({format_date(cycle.due_on)})"
    return (f"You signed the pledge on {format_date(signed_on)}, {when}, so you do not have to "
            f"report for {cycle.year}: your first attestation is due in the {cycle.year + 1} "
            "cycle. You can still send one for this cycle if you want to.")


def company_panel(db, organisation, user) -> dict | None:
    today = clock.today()
    cycle = service.current_cycle(db, today)
    if cycle is None or active_pledge(db, organisation.id) is None:
        return None
    attestation = service.attestation_for(db, organisation.id, cycle)
    status = attestation.status.value if attestation else "not_started"
    message, link_text = MESSAGES[status]
    editable = attestation is None or attestation.status in service.EDITABLE
    deadline = (service.submission_deadline(attestation) if attestation
                else cycle.grace_until) if editable else None
    on_time = service.on_time_until(attestation) if attestation else cycle.due_on
    if editable and deadline and today <= on_time and status in ("not_started", "draft"):
        deadline = on_time
    signed_on = service.first_signed_on(db, organisation.id)
    new_signer = service.new_signer_case(cycle, signed_on) \
        if status in ("not_started", "draft") else None
    if new_signer:
        # Optional this cycle: no due date to count down to, nothing overdue.
        message, deadline = _new_signer_message(cycle, signed_on, new_signer), None
        link_text = "Continue the attestation" if attestation else "Start an optional attestation"
    revoked = None
    if status == "approved":
        certificate = service.latest_certificate(db, attestation)
        if certificate is not None and certificate.revoked_at is not None:
            revoked = certificate
            message = (f"Approved, but certificate {certificate.number} was revoked on "
                       f"{format_date(certificate.revoked_at)}. Contact us to ask what to do.")
    return {
        "year": cycle.year, "status": "certificate_revoked" if revoked else status,
        "message": message, "link_text": link_text,
        "deadline": deadline, "days_left": (deadline - today).days if deadline else None,
        "is_late": bool(attestation and attestation.is_late),
        "is_optional": bool(new_signer),
    }
