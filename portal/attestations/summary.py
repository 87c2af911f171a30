"""Answers as the rows people read: check-your-answers, conflicts, PDFs, staff views."""

from __future__ import annotations

from datetime import date

from portal.attestations.sections import CHOICE_NAMES
from portal.templating import format_date

LABELS = {
    "workforce": [("period_start", "Reporting period start"),
                  ("period_end", "Reporting period end"),
                  ("headcount", "Employees at the end of the period"),
                  ("fte", "Full-time equivalent")],
    "learning": [("has_policy", "Protected learning time policy"),
                 ("policy_description", "Policy description"),
                 ("total_hours", "Total hours of structured learning"),
                 ("employees_meeting_hour", "Employees who averaged at least one hour a week"),
                 ("record_employees", "Employees in the imported learning record"),
                 ("recording_methods", "How learning time was recorded"),
                 ("formats", "Learning formats used"),
                 ("micro_credentials", "Micro-credentials earned")],
    "dei": [("policy_url", "DE&I policy"),
            ("has_senior_sponsor", "Named senior sponsor"),
            ("training_completion_pct", "Staff who completed DE&I training"),
            ("data_collected", "Diversity data collected"),
            ("pay_gap_url", "Pay-gap report"),
            ("recruitment_practices", "Inclusive recruitment practices"),
            ("has_adjustments_policy", "Reasonable-adjustments policy")],
    "narrative": [("highlights", "Highlights of the year"), ("plans", "Plans for next year")],
}


def display(name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in CHOICE_NAMES:
        return ", ".join(CHOICE_NAMES[name].get(v, v) for v in value)
    if name.startswith("period_"):
        try:
            return format_date(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if name == "training_completion_pct":
        return f"{value}%"
    if isinstance(value, int | float):
        if isinstance(value, int) or value == int(value):
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def section_rows(key: str, answers: dict) -> list[tuple[str, str, str]]:
    """(field name, label, displayed value) for one section's saved answers."""
    saved = (answers or {}).get(key) or {}
    rows = []
    for name, label in LABELS.get(key, []):
        if name == "record_employees" and name not in saved:
            continue
        rows.append((name, label, display(name, saved.get(name))))
    return rows
