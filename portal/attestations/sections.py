"""The six sections of the attestation form (DESIGN §4) and the fixed answer lists."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    letter: str
    title: str


SECTIONS = (
    Section("workforce", "A", "Workforce"),
    Section("learning", "B", "Learning time"),
    Section("dei", "C", "Diversity, equity and inclusion"),
    Section("narrative", "D", "Highlights and plans"),
    Section("evidence", "E", "Evidence"),
    Section("declaration", "F", "Check your answers and declare"),
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
BY_KEY = {s.key: s for s in SECTIONS}
# Sections with answers the user types (E has files, F is the submission itself).
FORM_SECTIONS = ("workforce", "learning", "dei", "narrative")

RECORDING_METHODS = [
    ("lms", "Learning management system (LMS)"),
    ("timesheets", "Timesheets"),
    ("manager_log", "Manager log"),
    ("self_report", "Self-report by employees"),
]
LEARNING_FORMATS = [
    ("online_courses", "Online courses"),
    ("workshops", "Workshops"),
    ("coaching", "Coaching or mentoring"),
    ("conferences", "Conferences"),
    ("micro_credentials", "Micro-credentials"),
    ("on_the_job", "On-the-job learning"),
]
DIVERSITY_DATA = [
    ("gender", "Gender"),
    ("ethnicity", "Ethnicity"),
    ("disability", "Disability"),
    ("age", "Age"),
    ("sexual_orientation", "Sexual orientation"),
    ("religion", "Religion or belief"),
    ("socio_economic", "Socio-economic background"),
]
RECRUITMENT_PRACTICES = [
    ("anonymised_cvs", "Anonymised CVs"),
    ("diverse_panels", "Diverse interview panels"),
    ("inclusive_adverts", "Inclusive job adverts (checked wording, salary shown)"),
    ("structured_interviews", "Structured interviews with set questions"),
    ("diverse_shortlists", "Diverse shortlists"),
    ("outreach", "Outreach to under-represented groups"),
]
CHOICE_NAMES = {
    "recording_methods": dict(RECORDING_METHODS),
    "formats": dict(LEARNING_FORMATS),
    "data_collected": dict(DIVERSITY_DATA),
    "recruitment_practices": dict(RECRUITMENT_PRACTICES),
}

# Copied by "start from last year's answers": policies, practices and URLs, never figures.
REUSABLE_FIELDS = {
    "learning": ("has_policy", "policy_description", "recording_methods", "formats"),
    "dei": ("policy_url", "has_senior_sponsor", "data_collected", "pay_gap_url",
            "recruitment_practices", "has_adjustments_policy"),
}


def next_section(key: str) -> str:
    index = SECTION_KEYS.index(key)
    return SECTION_KEYS[min(index + 1, len(SECTION_KEYS) - 1)]
