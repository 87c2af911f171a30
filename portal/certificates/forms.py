from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from portal.certificates.numbering import parse_number
from portal.forms import BaseForm, MaxLength, Required

TYPING_MISTAKE = "This number has a typing mistake — check it against the certificate"


def certificate_number(form, field):
    parsed = parse_number(field.data or "")
    if not parsed.is_well_formed:
        raise ValidationError("Enter a certificate number in the correct format, "
                              "like PP-2026-000042-6")
    if not parsed.has_valid_check_digit:
        raise ValidationError(TYPING_MISTAKE)
    field.data = parsed.canonical


class VerifyForm(BaseForm):
    """A GET search form: nothing changes, so no CSRF token (and shareable URLs)."""

    class Meta:
        csrf = False

    number = StringField("Certificate number", validators=[
        Required("Enter the certificate number"), certificate_number])


def _file_required(form, field):
    if not field.data or not getattr(field.data, "filename", ""):
        raise StopValidation("Select the PDF file to check")


class CheckFileForm(BaseForm):
    certificate_file = FileField("Upload the PDF file", validators=[
        _file_required])


class RevokeForm(BaseForm):
    reason = TextAreaField("Why are you revoking this certificate?", validators=[
        Required("Enter why the certificate is being revoked"), MaxLength(2000, "The reason")])


class ReissueForm(BaseForm):
    reason = TextAreaField("Why does this certificate need replacing?", validators=[
        Required("Enter why the certificate is being replaced"), MaxLength(2000, "The reason")])
