import re
from datetime import date

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from portal.forms import BaseForm, Email, MaxLength, Required

STAFF_ROLE_CHOICES = [("reviewer", "Reviewer: works the review queue"),
                      ("admin", "Staff admin: also cycles, code versions, accounts and audits")]
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")


def parse_date(text: str) -> date | None:
    """2026-09-30 (what a date picker sends) or 30/9/2026 (what people type)."""
    text = (text or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DAY_MONTH_YEAR.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def real_date(form, field):
    if field.data and parse_date(field.data) is None:
        raise ValidationError("Enter a real date, like 30/09/2026")


class ExtensionForm(BaseForm):
    cycle_id = SelectField("Reporting cycle", validators=[Required("Select the reporting cycle")])
    until = StringField("New deadline", validators=[
        Required("Enter the new deadline"), real_date])
    reason = TextAreaField("Reason for the extension", validators=[
        Required("Enter the reason for the extension"), MaxLength(1000, "The reason")])


class AppointAdminForm(BaseForm):
    email = StringField("Email address of the new admin", validators=[
        Required("Enter the new admin's email address"), MaxLength(254, "Email address"),
        Email()])


class InviteStaffForm(BaseForm):
    email = StringField("Email address", validators=[
        Required("Enter their email address"), MaxLength(254, "Email address"), Email()])
    staff_role = RadioField("Role", choices=STAFF_ROLE_CHOICES,
                            validators=[Required("Select a role")])


class StaffRoleForm(BaseForm):
    staff_role = RadioField("Role", choices=[
        *STAFF_ROLE_CHOICES, ("none", "No staff access (the account stays, without rights)")],
        validators=[Required("Select a role")])
