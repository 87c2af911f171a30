"""Words staff see for answer fields and flags (the snapshot stores only keys).

The field labels and the way answers are written are the attestation package's
(`portal.attestations.summary`): reviewers read the same words as the member's
check-your-answers page.
"""

import re
from datetime import date

from portal.attestations.summary import LABELS, display, section_rows

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SECTION_TITLES = {
    "workforce": "A. Workforce",
    "learning": "B. Learning time",
    "dei": "C. Diversity, equity and inclusion",
    "narrative": "D. Highlights and plans",
    "evidence": "E. Evidence",
    "declaration": "F. Declaration",
}

# The imported learning record (section B): the file itself, shown as its name and a link.
RECORD_FILE = "record_file_id"
RECORD_FILE_LABEL = "Learning record file"

FIELD_LABELS = {name: label for rows in LABELS.values() for name, label in rows}
FIELD_LABELS[RECORD_FILE] = RECORD_FILE_LABEL


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " ").capitalize())


def show_value(value, name: str = "") -> str:
    """An answer as a reviewer reads it: the member's words for the same field."""
    if name in FIELD_LABELS:
        return display(name, value)
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


def answer_rows(key: str, answers: dict) -> list[tuple[str, str, str]]:
    """(field name, label, displayed value) for one section of a frozen version: the member's
    rows, then the learning-record file (the template links it) and any answer this build
    has no label for (so nothing the company declared is hidden from the reviewer)."""
    saved = (answers or {}).get(key) or {}
    rows = section_rows(key, answers)
    known = {name for name, _ in LABELS.get(key, [])}
    for name, value in saved.items():
        if name == RECORD_FILE:
            rows.append((name, RECORD_FILE_LABEL, value))
        elif name not in known:
            rows.append((name, field_label(name), show_value(value, name)))
    return rows
