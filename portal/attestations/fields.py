"""GOV.UK-style fields for the attestation forms: three-part dates, numbers with commas."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from wtforms import Field, RadioField, ValidationError
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from portal.text import parse_number

PARTS = ("day", "month", "year")
YES_NO = [("yes", "Yes"), ("no", "No")]


class DateInputField(Field):
    """A date typed as day, month and year (inputs named `<name>-day` etc.).

    `data` is a date (or None); `parts` keeps exactly what was typed, so an invalid date is
    shown back as the user wrote it.
    """

    def __init__(self, label=None, validators=None, *, what: str, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what  # "the start date": used in the messages
        self.parts = {"day": "", "month": "", "year": ""}
        self.typed = False

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        if isinstance(data, str) and data:
            try:
                data = date.fromisoformat(data)
            except ValueError:
                data = None
        self.object_data = self.data = data or None
        if self.data:
            self.parts = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is not None and any(f"{self.name}-{p}" in formdata for p in PARTS):
            self.typed = True
            self.parts = {p: (formdata.get(f"{self.name}-{p}") or "").strip()[:10] for p in PARTS}
            self.data = None

    def pre_validate(self, form):
        if not self.typed:
            return
        missing = [p for p in PARTS if not self.parts[p]]
        if len(missing) == 3:
            self.data = None
            return
        label = self.what[0].upper() + self.what[1:]
        if missing:
            raise StopValidation(f"{label} must include a {' and '.join(missing)}")
        if not all(re.fullmatch(r"\d+", self.parts[p]) for p in PARTS):
            raise StopValidation(f"{label} must be a real date, like 31 12 2025")
        if len(self.parts["year"]) != 4:
            raise StopValidation("Year must include 4 numbers, like 2025")
        try:
            self.data = date(*(int(self.parts[p]) for p in ("year", "month", "day")))
        except (ValueError, OverflowError) as error:
            raise StopValidation(f"{label} must be a real date") from error

    def _value(self):
        return self.data.isoformat() if self.data else ""


class RequiredDate:
    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data is None:
            raise StopValidation(self.message)


# Separators are thousands groups only: "12,5" is a decimal comma (12.5 to its writer), and
# stripping the comma would store 125. Anything not grouped in threes is refused, not guessed.
GROUPED = re.compile(r"[+-]?\d{1,3}(?:[\s,_]\d{3})+(?:\.\d+)?")
SEPARATOR = re.compile(r"[\s,_]")


class DecimalNumber:
    """'1,250.5' and '1 250' are accepted; the Decimal is stored back on the field."""

    def __init__(self, label: str, minimum: Decimal = Decimal(0),
                 maximum: Decimal = Decimal(100_000_000), example: str = "1,250.5",
                 what: str | None = None):
        self.label, self.minimum, self.maximum, self.example = label, minimum, maximum, example
        self.what = what or f"the {label[:1].lower()}{label[1:]}"

    def __call__(self, form, field):
        typed = (field.data if isinstance(field.data, str) else str(field.data or "")).strip()
        if SEPARATOR.search(typed) and not GROUPED.fullmatch(typed):
            raise ValidationError(f"Enter {self.what} as a number, like {self.example}")
        raw = parse_number(typed)
        if not raw:
            field.data = None
            return
        try:
            number = Decimal(raw)
        except InvalidOperation as error:
            raise ValidationError(
                f"{self.label} must be a number, like {self.example}") from error
        if not number.is_finite():
            raise ValidationError(f"{self.label} must be a number, like {self.example}")
        if number < self.minimum:
            raise ValidationError(f"{self.label} must be {self.minimum:,} or more")
        if number > self.maximum:
            raise ValidationError(f"{self.label} must be {self.maximum:,} or less")
        field.data = number


class YesNoField(RadioField):
    """Yes/No radios whose answers are stored as booleans."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=YES_NO, validate_choice=False, **kwargs)

    def process_data(self, value):
        if isinstance(value, bool):
            value = "yes" if value else "no"
        super().process_data(value)

    @property
    def answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.data)


def plain_number(value):
    """Decimal → int when whole, else float: what JSON answers hold."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
