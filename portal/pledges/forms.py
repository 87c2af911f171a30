from __future__ import annotations

import re

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation

from portal.forms import BaseForm, MaxLength, Required

COMMITMENT_ROWS = 10
HEADING_MAX = 120
BODY_MAX = 2000


class Checked:
    """A checkbox that must be ticked (Required treats False as an answer)."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation(self.message)


def _same_name(first: str, second: str) -> bool:
    def normal(value):
        return re.sub(r"\s+", " ", value or "").strip().casefold()

    return normal(first) == normal(second)


def _one_line(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip()


class SignForm(BaseForm):
    signatory_name = StringField("Your full name", validators=[
        Required("Enter your full name"), MaxLength(120, "Your full name")])
    signatory_title = StringField("Your job title", validators=[
        Required("Enter your job title"), MaxLength(120, "Your job title")])
    is_authorised = BooleanField("I am authorised to commit my company to this pledge")
    signature = StringField("Type your full name to sign", validators=[
        Required("Type your full name to sign the pledge"), MaxLength(120, "Your signature")])
    # The version the signer read: if another is published meanwhile, they must read it first.
    version_id = HiddenField()

    def __init__(self, *args, company_name: str = "your company", **kwargs):
        super().__init__(*args, **kwargs)
        self.is_authorised.label.text = f"I am authorised to commit {company_name} to this pledge"
        self.is_authorised.validators = [Checked(
            f"Confirm that you are authorised to commit {company_name} to the pledge")]

    def validate_signature(self, field):
        if self.signatory_name.data and not _same_name(field.data, self.signatory_name.data):
            raise StopValidation(
                "Your signature must match your full name exactly, as entered above")


class WithdrawForm(BaseForm):
    reason = TextAreaField("Why is your company withdrawing?", validators=[
        Required("Enter why your company is withdrawing its pledge"),
        MaxLength(2000, "The reason")])


class CodeVersionForm(BaseForm):
    """Title, summary and a fixed number of commitment rows (blank rows are ignored)."""

    title = StringField("Title", validators=[
        Required("Enter a title for this version"), MaxLength(200, "Title")])
    summary_of_changes = TextAreaField("Summary of what changed", validators=[
        Required("Enter a plain-language summary of what changed"),
        MaxLength(2000, "Summary of what changed")])

    def rows(self) -> list[tuple]:
        return [(n, self[f"heading_{n}"], self[f"body_{n}"])
                for n in range(1, COMMITMENT_ROWS + 1)]

    def commitments(self) -> list[dict]:
        # One paragraph each: line breaks typed in the box become spaces, so every commitment
        # is exactly two lines of the canonical signed text.
        return [{"heading": _one_line(heading.data), "body": _one_line(body.data)}
                for _, heading, body in self.rows() if heading.data or body.data]

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators)
        for n, heading, body in self.rows():
            if body.data and not heading.data:
                heading.errors.append(f"Enter a heading for commitment {n}")
            if heading.data and not body.data:
                body.errors.append(f"Enter the text of commitment {n}")
        if not self.commitments() and not self.heading_1.errors:
            self.heading_1.errors.append("Enter at least one commitment")
        return is_valid and not any(h.errors or b.errors for _, h, b in self.rows())

    @classmethod
    def from_version(cls, version, **kwargs):
        data = {"title": version.title, "summary_of_changes": version.summary_of_changes}
        for n, commitment in enumerate(version.commitments, start=1):
            data[f"heading_{n}"], data[f"body_{n}"] = commitment["heading"], commitment["body"]
        return cls(data=data, **kwargs)


for _n in range(1, COMMITMENT_ROWS + 1):
    # Plain fields (not FieldList) so BaseForm cleans them and the error summary links to them;
    # each pair sits in a fieldset whose legend names the commitment.
    setattr(CodeVersionForm, f"heading_{_n}", StringField(
        "Heading", validators=[MaxLength(HEADING_MAX, f"Heading {_n}")]))
    setattr(CodeVersionForm, f"body_{_n}", TextAreaField(
        "Text", validators=[MaxLength(BODY_MAX, f"Text of commitment {_n}")]))
