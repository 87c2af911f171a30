from datetime import date

from wtforms import SelectField, StringField
from wtforms.validators import Optional, ValidationError

from portal.forms import BaseForm, MaxLength


def _iso_date(form, field):
    try:
        date.fromisoformat(field.data)
    except ValueError as error:
        raise ValidationError(f"Enter the {field.label.text.lower()} date as year-month-day, "
                              "like 2026-07-31") from error


class AuditFilterForm(BaseForm):
    """A GET search form: no CSRF token; bad input is explained beside the field, never a 500."""

    class Meta:
        csrf = False

    actor = StringField("Who (name, email address or user number)", validators=[
        Optional(), MaxLength(254, "Who")])
    action = SelectField("Action", choices=[], validate_choice=False, validators=[Optional()])
    object_type = SelectField("Object type", choices=[], validate_choice=False,
                              validators=[Optional()])
    object_id = StringField("Object number", validators=[
        Optional(), MaxLength(64, "Object number")])
    organisation = StringField("Company (portal number)", validators=[Optional()])
    date_from = StringField("From", validators=[Optional(), _iso_date])
    date_to = StringField("To", validators=[Optional(), _iso_date])

    def validate_organisation(self, field):
        if not field.data.isdigit() or len(field.data) > 9:
            raise ValidationError("Enter the company's portal number as digits, like 42")

    def validate_date_to(self, field):
        if self.date_from.data and not self.date_from.errors and \
                field.data < self.date_from.data:
            raise ValidationError("The end date must be the same as or after the start date")

    def date_range(self) -> tuple[date | None, date | None]:
        start = date.fromisoformat(self.date_from.data) if self.date_from.data else None
        end = date.fromisoformat(self.date_to.data) if self.date_to.data else None
        return start, end
