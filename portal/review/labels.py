"""Words staff see for answer fields and flags (the snapshot stores only keys)."""

import re
from datetime import date

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SECTION_TITLES = {
    "workforce": "A. Workforce",
    "learning": "B. Learning time",
    "dei": "C. Diversity, equity and inclusion",
    "narrative": "D. Highlights and plans",
    "evidence": "E. Evidence",
    "declaration": "F. Declaration",
}

FIELD_LABELS = {
    "period_start": "Reporting period start",
    "period_end": "Reporting period end",
    "headcount": "Headcount at period end",
    "fte": "Full-time equivalent",
    "has_policy": "Protected learning time policy",
    "policy_description": "Policy description",
    "total_hours": "Total structured learning hours",
    "employees_meeting_hour": "Employees averaging at least an hour a week",
    "recording_methods": "How time was recorded",
    "formats": "Learning formats",
    "micro_credentials": "Micro-credentials earned",
    "policy_url": "DE&I policy URL",
    "has_senior_sponsor": "Named senior sponsor",
    "training_completion_pct": "Staff who completed DE&I training (%)",
    "data_collected": "Diversity data collected",
    "pay_gap_url": "Pay-gap report URL",
    "recruitment_practices": "Inclusive recruitment practices",
    "has_adjustments_policy": "Reasonable-adjustments policy",
    "highlights": "Highlights",
    "plans": "Next year's plans",
}


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " ").capitalize())


def show_value(value) -> str:
    """An answer as a reviewer reads it: yes/no, lists joined, blanks said out loud."""
    if value is None or value == "" or value == []:
        return "Not given"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(str(item).replace("_", " ") for item in value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str) and ISO_DATE.match(value):
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    return str(value)
