"""BaseForm and validators whose messages say what to do: "Enter …", "Select …"."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import StringField, ValidationError
from wtforms.validators import StopValidation

from portal.text import parse_number

CSRF_MESSAGE = (
    "This page expired before you sent it. Your answers are below: check them and send "
    "the form again."
)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x85]+")


def _clean(value):
    if isinstance(value, str):
        return CONTROL_CHARS.sub("", value).strip()
    return value


def _one_line(value):
    """A name or an email on one line: a line break could forge a mail header or log line."""
    if isinstance(value, str):
        return LINE_BREAKS.sub(" ", value).strip()
    return value


class BaseForm(FlaskForm):
    """Strips whitespace and control characters; knows whether its CSRF token failed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if _clean not in filters:
                filters.append(_clean)
            if unbound_field.field_class is StringField and _one_line not in filters:
                filters.append(_one_line)
            return unbound_field.bind(form=form, filters=filters, **options)

        def wrap_formdata(self, form, formdata):
            # Answers kept when a session timed out mid-form are put back on its page.
            from portal.auth.sessions import replayed_formdata

            replayed = replayed_formdata()
            if replayed is not None and formdata is _Auto:
                return replayed
            return super().wrap_formdata(form, formdata)

    @property
    def csrf_failed(self) -> bool:
        token = getattr(self, "csrf_token", None)
        return bool(token is not None and token.errors)

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) in field order, for the error summary."""
        items = []
        for field in self:
            for message in field.errors:
                target = "main-content" if field.name == "csrf_token" else field.id
                items.append((target, message))
        return items

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators)
        if self.csrf_failed:
            # Flask-WTF's own wording is terse; say what happened and that nothing was lost.
            self.csrf_token.errors = [CSRF_MESSAGE]
        return is_valid


class Required:
    """'Enter your name' / 'Select a sector': the message names the thing to do."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()) or data == []:
            field.errors[:] = []
            raise StopValidation(self.message)


class MaxLength:
    """'Name must be 120 characters or fewer (remove 5)'."""

    def __init__(self, limit: int, label: str):
        self.limit, self.label = limit, label

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            over = length - self.limit
            raise ValidationError(
                f"{self.label} must be {self.limit:,} characters or fewer "
                f"(remove {over:,} character{'s' if over != 1 else ''})"
            )


class Email:
    def __init__(self, message: str = "Enter an email address in the correct format, "
                 "like name@example.com"):
        self.message = message

    def __call__(self, form, field):
        try:
            result = validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(self.message) from error
        field.data = result.normalized


class HttpUrl:
    def __init__(self, label: str = "the website address"):
        self.label = label

    def __call__(self, form, field):
        if not field.data:
            return
        value = field.data
        if "://" not in value:
            value = "https://" + value
        message = f"Enter {self.label} in the correct format, like https://www.example.com"
        try:
            parts = urlsplit(value)
            hostname = parts.hostname
        except ValueError as error:  # "http://[" is not a URL: urlsplit raises, never a 500
            raise ValidationError(message) from error
        if parts.scheme not in ("http", "https") or not hostname or "." not in hostname:
            raise ValidationError(message)
        field.data = value


class HttpsUrl(HttpUrl):
    """A published document's address: https:// only, so the page a reviewer or visitor opens
    is the one the company published. An address without a scheme is taken as https://."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if field.data and urlsplit(field.data).scheme != "https":
            raise ValidationError(f"Enter {self.label} starting with https:// (not http://), "
                                  f"like https://www.example.com")


class WholeNumber:
    """Accepts '1,250' and '1 250'; stores the int back on the field."""

    def __init__(self, label: str, minimum: int = 0, maximum: int = 10_000_000):
        self.label, self.minimum, self.maximum = label, minimum, maximum

    def __call__(self, form, field):
        raw = parse_number(field.data if isinstance(field.data, str) else str(field.data or ""))
        if not raw:
            return
        if not re.fullmatch(r"-?\d+", raw):
            raise ValidationError(f"{self.label} must be a whole number, like 120")
        number = int(raw)
        if number < self.minimum:
            raise ValidationError(f"{self.label} must be {self.minimum:,} or more")
        if number > self.maximum:
            raise ValidationError(f"{self.label} must be {self.maximum:,} or fewer")
        field.data = number


COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|[A-Z]{2}\d{5}[A-Z])$")


def company_number_validator(form, field):
    if not field.data:
        field.data = None
        return
    value = field.data.replace(" ", "").upper()
    if not COMPANY_NUMBER.match(value):
        raise ValidationError(
            "Enter a company number in the correct format: 8 characters, like 01234567 "
            "or SC123456"
        )
    field.data = value


def password_rules(form, field):
    password = field.data or ""
    if len(password) < 10:
        raise ValidationError("Password must be 10 characters or more")
    if len(password) > 200:
        raise ValidationError("Password must be 200 characters or fewer")
    # On registration the email is a field; elsewhere the view sets form.account_email.
    email = getattr(form, "account_email", None) or getattr(
        getattr(form, "email", None), "data", None)
    if email and password.strip().lower() == str(email).strip().lower():
        raise ValidationError("Password must not be the same as your email address")


def render_form(template: str, form: BaseForm, **context):
    """Re-show a form with its errors; 400 when its CSRF token failed (the answers are kept)."""
    from flask import render_template

    status = 400 if form.csrf_failed else 200
    return render_template(template, form=form, **context), status
