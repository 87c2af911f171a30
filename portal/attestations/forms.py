"""One form per section; cross-field rules (DESIGN §4) with messages that name the numbers."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional, StopValidation

from portal.attestations import metrics
from portal.attestations.fields import (
    DateInputField,
    DecimalNumber,
    RequiredDate,
    YesNoField,
    plain_number,
)
from portal.attestations.sections import (
    DIVERSITY_DATA,
    LEARNING_FORMATS,
    RECORDING_METHODS,
    RECRUITMENT_PRACTICES,
)
from portal.forms import BaseForm, HttpsUrl, MaxLength, Required, WholeNumber
from portal.templating import format_date

TEXT_LIMIT = 2000


def _checkboxes(label, choices, *validators):
    return SelectMultipleField(label, choices=choices, validate_choice=False,
                               validators=list(validators))


def _known(field) -> list[str]:
    allowed = {value for value, _label in field.choices}
    return [value for value in (field.data or []) if value in allowed]


def _fmt(number) -> str:
    number = plain_number(number)
    return f"{number:,}" if isinstance(number, int) else f"{number:,.2f}"


class SectionForm(BaseForm):
    """Every section form carries the version of the section it was loaded from."""

    row_version = HiddenField()
    # Set by the view: the cycle and the other sections' saved answers, for cross-field rules.
    cycle = None
    answers: dict = {}

    @classmethod
    def initial(cls, saved: dict) -> dict:
        return dict(saved or {})

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators)
        # Optional() leaves an empty optional answer as ""; store it as "not given".
        for field in self:
            if field.data == "":
                field.data = None
        return is_valid

    def seen_version(self) -> int:
        try:
            return int(self.row_version.data or 0)
        except ValueError:
            return -1


class WorkforceForm(SectionForm):
    period_start = DateInputField("Start date", what="the start date", validators=[
        RequiredDate("Enter the start date of the reporting period")])
    period_end = DateInputField("End date", what="the end date", validators=[
        RequiredDate("Enter the end date of the reporting period")])
    headcount = StringField("Number of employees at the end of the period", validators=[
        Required("Enter the number of employees at the end of the period"),
        WholeNumber("Number of employees", minimum=1)])
    fte = StringField("Full-time equivalent (optional)", validators=[
        Optional(), DecimalNumber("Full-time equivalent", Decimal("0.1"), example="87.5")])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        start, end = self.period_start.data, self.period_end.data
        if end <= start:
            self.period_end.errors.append("The end date must be after the start date")
        elif (end - start).days + 1 > 366:
            self.period_end.errors.append(
                f"The reporting period must be 366 days or fewer (this one is "
                f"{(end - start).days + 1:,} days)")
        elif self.cycle is not None and end >= self.cycle.opens_on:
            self.period_end.errors.append(
                f"The reporting period must end before the cycle opens on "
                f"{format_date(self.cycle.opens_on)}")
        if self.fte.data is not None and self.fte.data > self.headcount.data:
            self.fte.errors.append(
                f"Full-time equivalent ({_fmt(self.fte.data)}) cannot be more than the number "
                f"of employees ({_fmt(self.headcount.data)})")
        return not self.errors

    def to_answers(self) -> dict:
        return {"period_start": self.period_start.data.isoformat(),
                "period_end": self.period_end.data.isoformat(),
                "headcount": self.headcount.data, "fte": plain_number(self.fte.data)}


class LearningForm(SectionForm):
    has_policy = YesNoField("Do you have a protected learning time policy?", validators=[
        Required("Select yes if you have a protected learning time policy")])
    policy_description = TextAreaField("Describe the policy", validators=[
        MaxLength(TEXT_LIMIT, "The description")])
    total_hours = StringField("Total hours of structured learning in the period", validators=[
        Required("Enter the total hours of structured learning in the period"),
        DecimalNumber("Total hours", example="5,600")])
    employees_meeting_hour = StringField(
        "Employees who averaged at least one hour a week", validators=[
            Required("Enter the number of employees who averaged at least one hour a week"),
            WholeNumber("Employees meeting the hour")])
    recording_methods = _checkboxes("How was learning time recorded?", RECORDING_METHODS,
                                    Required("Select how learning time was recorded"))
    formats = _checkboxes("Which learning formats were used?", LEARNING_FORMATS,
                          Required("Select the learning formats used"))
    micro_credentials = StringField("Micro-credentials earned (optional)", validators=[
        Optional(), WholeNumber("Micro-credentials earned")])

    def validate(self, extra_validators=None) -> bool:
        self.recording_methods.data = _known(self.recording_methods)
        self.formats.data = _known(self.formats)
        if self.has_policy.data not in (None, "", "yes", "no"):
            self.has_policy.data = None
        valid = super().validate(extra_validators)
        if self.has_policy.data == "yes" and not self.policy_description.data:
            self.policy_description.errors.append(
                "Enter a description of your protected learning time policy")
        if valid:
            self._check_against_workforce()
        return not self.errors

    def _check_against_workforce(self) -> None:
        workforce = self.answers.get("workforce") or {}
        headcount, weeks = workforce.get("headcount"), metrics.period_weeks(workforce)
        meeting, hours = self.employees_meeting_hour.data, self.total_hours.data
        if headcount and meeting > headcount:
            self.employees_meeting_hour.errors.append(
                f"Employees meeting the hour ({meeting:,}) cannot exceed headcount "
                f"({headcount:,})")
        if headcount and weeks:
            ceiling = (Decimal(headcount) * 40 * weeks).quantize(Decimal(1))
            if hours > ceiling:
                self.total_hours.errors.append(
                    f"Total hours ({_fmt(hours)}) cannot be more than 40 hours a week for "
                    f"every employee ({_fmt(ceiling)} for {headcount:,} employees)")

    def to_answers(self) -> dict:
        return {"has_policy": self.has_policy.answer,
                "policy_description": self.policy_description.data or "",
                "total_hours": plain_number(self.total_hours.data),
                "employees_meeting_hour": self.employees_meeting_hour.data,
                "recording_methods": self.recording_methods.data, "formats": self.formats.data,
                "micro_credentials": self.micro_credentials.data}


class DeiForm(SectionForm):
    policy_url = StringField("Web address of your published DE&I policy", validators=[
        Required("Enter the web address of your published DE&I policy"),
        MaxLength(500, "The web address"), HttpsUrl("the web address of your DE&I policy")])
    has_senior_sponsor = YesNoField("Is the policy owned by a named senior sponsor?", validators=[
        Required("Select yes if a named senior sponsor owns the policy")])
    training_completion_pct = StringField(
        "Percentage of staff who completed DE&I training", validators=[
            Required("Enter the percentage of staff who completed DE&I training"),
            WholeNumber("The percentage", 0, 100)])
    data_collected = _checkboxes("Which diversity data do you collect? (optional)",
                                 DIVERSITY_DATA)
    pay_gap_url = StringField("Web address of your pay-gap report (optional)", validators=[
        Optional(), MaxLength(500, "The web address"),
        HttpsUrl("the web address of your pay-gap report")])
    recruitment_practices = _checkboxes(
        "Which inclusive recruitment practices do you use?", RECRUITMENT_PRACTICES,
        Required("Select the inclusive recruitment practices you use"))
    has_adjustments_policy = YesNoField(
        "Do you have a reasonable-adjustments policy?", validators=[
            Required("Select yes if you have a reasonable-adjustments policy")])

    def validate(self, extra_validators=None) -> bool:
        self.data_collected.data = _known(self.data_collected)
        self.recruitment_practices.data = _known(self.recruitment_practices)
        for field in (self.has_senior_sponsor, self.has_adjustments_policy):
            if field.data not in (None, "", "yes", "no"):
                field.data = None
        return super().validate(extra_validators)

    def to_answers(self) -> dict:
        return {"policy_url": self.policy_url.data,
                "has_senior_sponsor": self.has_senior_sponsor.answer,
                "training_completion_pct": self.training_completion_pct.data,
                "data_collected": self.data_collected.data,
                "pay_gap_url": self.pay_gap_url.data or None,
                "recruitment_practices": self.recruitment_practices.data,
                "has_adjustments_policy": self.has_adjustments_policy.answer}


class NarrativeForm(SectionForm):
    highlights = TextAreaField("Highlights of the year", validators=[
        Required("Enter the highlights of the year"), MaxLength(TEXT_LIMIT, "Highlights")])
    plans = TextAreaField("Plans for next year", validators=[
        Required("Enter your plans for next year"), MaxLength(TEXT_LIMIT, "Plans")])

    def to_answers(self) -> dict:
        return {"highlights": self.highlights.data, "plans": self.plans.data}


SECTION_FORMS = {"workforce": WorkforceForm, "learning": LearningForm, "dei": DeiForm,
                 "narrative": NarrativeForm}


def _must_tick(form, field):
    if not field.data:
        raise StopValidation("Select the box to confirm the declaration")


class DeclarationForm(BaseForm):
    confirm = BooleanField("I confirm that the answers are true and complete, to the best of "
                           "my knowledge, and that I may make this declaration for my company",
                           validators=[_must_tick])
    declaration_name = StringField("Your full name", validators=[
        Required("Enter your full name"), MaxLength(120, "Your name")])
    declaration_role = StringField("Your job title", validators=[
        Required("Enter your job title"), MaxLength(120, "Your job title")])


def _file_required(message):
    def check(form, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise StopValidation(message)
    return check


class EvidenceForm(BaseForm):
    evidence_file = FileField("Upload a file", validators=[
        _file_required("Select a file to upload")])


class LearningRecordForm(BaseForm):
    learning_record = FileField("Upload a learning record (CSV)", validators=[
        _file_required("Select a CSV file to upload")])


class CycleForm(BaseForm):
    year = StringField("Year", validators=[
        Required("Enter the year of the cycle"), WholeNumber("The year", 2000, 2100)])
    opens_on = DateInputField("Opens on", what="the opening date", validators=[
        RequiredDate("Enter the date the cycle opens")])
    due_on = DateInputField("Due on", what="the due date", validators=[
        RequiredDate("Enter the date attestations are due")])
    grace_until = DateInputField(
        "Late submissions accepted until", what="the last date for late submissions",
        validators=[RequiredDate("Enter the last date for late submissions")])
    min_avg_hours_per_week = StringField("Minimum average hours per employee per week",
                                         validators=[
        Required("Enter the minimum average hours per week"),
        DecimalNumber("Minimum average hours", Decimal(0), Decimal(40), example="1.0")])
    min_coverage_pct = StringField("Minimum coverage (%)", validators=[
        Required("Enter the minimum coverage"), WholeNumber("Minimum coverage", 0, 100)])
    new_signer_window_days = StringField("New-signer window (days)", validators=[
        Required("Enter the new-signer window in days"),
        WholeNumber("The new-signer window", 0, 365)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.due_on.data <= self.opens_on.data:
            self.due_on.errors.append("The due date must be after the opening date")
        elif self.grace_until.data < self.due_on.data:
            self.grace_until.errors.append(
                "The last date for late submissions must be the same as or after the due date")
        return not self.errors
