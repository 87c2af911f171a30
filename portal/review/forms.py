from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.forms import BaseForm, MaxLength, Required, WholeNumber
from portal.review.labels import SECTION_TITLES


class ApproveForm(BaseForm):
    internal_note = TextAreaField("Internal note (optional)", validators=[
        Optional(), MaxLength(5000, "Internal note")])


def _section_message(key: str):
    title = SECTION_TITLES[key]
    return TextAreaField(title, validators=[
        Optional(), MaxLength(2000, f"The message about {title}")])


class RequestChangesForm(BaseForm):
    """One message per section; a message must be given for at least one of them."""

    message_workforce = _section_message("workforce")
    message_learning = _section_message("learning")
    message_dei = _section_message("dei")
    message_narrative = _section_message("narrative")
    message_evidence = _section_message("evidence")
    message_declaration = _section_message("declaration")
    internal_note = TextAreaField("Internal note (optional)", validators=[
        Optional(), MaxLength(5000, "Internal note")])

    def section_fields(self):
        return [getattr(self, f"message_{key}") for key in SECTION_TITLES]

    def messages(self) -> dict:
        return {key: getattr(self, f"message_{key}").data for key in SECTION_TITLES
                if getattr(self, f"message_{key}").data}

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators)
        if is_valid and not self.messages():
            self.message_workforce.errors.append("Enter a message for at least one section")
            return False
        return is_valid


class RejectForm(BaseForm):
    reason = TextAreaField("Reason for rejecting (shown to the company)", validators=[
        Required("Enter the reason for rejecting this attestation"),
        MaxLength(2000, "The reason")])
    internal_note = TextAreaField("Internal note (optional)", validators=[
        Optional(), MaxLength(5000, "Internal note")])


class ReopenForm(BaseForm):
    reason = TextAreaField("Why is it being reopened?", validators=[
        Required("Enter the reason for reopening this attestation"),
        MaxLength(2000, "The reason")])


class NoteForm(BaseForm):
    body = TextAreaField("Add an internal note", validators=[
        Required("Enter the note"), MaxLength(5000, "The note")])


class SamplingForm(BaseForm):
    cycle_id = SelectField("Reporting cycle", coerce=str, validators=[
        Required("Select the reporting cycle")])
    percentage = StringField("Percentage of approved attestations to check", default="10",
                             validators=[Required("Enter the percentage to sample"),
                                         WholeNumber("The percentage", 1, 100)])
    seed = StringField("Random seed", validators=[
        Required("Enter a seed, for example today's date"), MaxLength(64, "The seed")])
    message = TextAreaField("Message to the sampled companies", validators=[
        Required("Enter the message to send to the sampled companies"),
        MaxLength(3000, "The message")])


class OutcomeForm(BaseForm):
    outcome = RadioField("Outcome of the evidence check", choices=[
        ("confirmed", "Evidence confirmed the attestation"),
        ("revoked", "Evidence did not support it: the certificate is to be revoked"),
    ], validators=[Required("Select the outcome of the evidence check")])
    note = TextAreaField("What did you check?", validators=[
        Required("Enter what you checked and found"), MaxLength(3000, "The note")])
