from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import Optional

from portal.forms import (
    BaseForm,
    Email,
    HttpUrl,
    MaxLength,
    Required,
    company_number_validator,
    password_rules,
)
from portal.reference import HEADCOUNT_BANDS, REGIONS, SECTORS


def choices_with_prompt(options):
    return [("", "Select…"), *options]


class CompanyFieldsMixin:
    company_name = StringField("Company name", validators=[
        Required("Enter your company's name"), MaxLength(200, "Company name")])
    company_number = StringField("Company number (optional)", validators=[
        Optional(), company_number_validator])
    sector = SelectField("Sector", choices=choices_with_prompt(SECTORS), validators=[
        Required("Select your company's sector")])
    region = SelectField("Region", choices=choices_with_prompt(REGIONS), validators=[
        Required("Select the region where your company is based")])
    headcount_band = SelectField("Number of employees", choices=choices_with_prompt(
        HEADCOUNT_BANDS), validators=[Required("Select how many people your company employs")])
    website = StringField("Website (optional)", validators=[
        Optional(), MaxLength(300, "Website"), HttpUrl()])


class RegistrationForm(CompanyFieldsMixin, BaseForm):
    name = StringField("Your full name", validators=[
        Required("Enter your full name"), MaxLength(120, "Your full name")])
    email = StringField("Work email address", validators=[
        Required("Enter your work email address"), MaxLength(254, "Email address"), Email()])
    password = PasswordField("Create a password", validators=[
        Required("Enter a password"), password_rules])


class LoginForm(BaseForm):
    email = StringField("Email address", validators=[Required("Enter your email address")])
    password = PasswordField("Password", validators=[Required("Enter your password")])


class EmailOnlyForm(BaseForm):
    email = StringField("Email address", validators=[
        Required("Enter your email address"), MaxLength(254, "Email address"), Email()])


class NewPasswordForm(BaseForm):
    password = PasswordField("New password", validators=[
        Required("Enter a new password"), password_rules])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField("Current password", validators=[
        Required("Enter your current password")])
    password = PasswordField("New password", validators=[
        Required("Enter a new password"), password_rules])


class AcceptInvitationForm(BaseForm):
    name = StringField("Your full name", validators=[
        Required("Enter your full name"), MaxLength(120, "Your full name")])
    password = PasswordField("Create a password", validators=[
        Required("Enter a password"), password_rules])


class ConfirmForm(BaseForm):
    """A button-only form: its CSRF token is all it carries."""


class RememberField(BaseForm):
    remember = BooleanField("Keep me signed in on this device")


class TwoFactorCodeForm(BaseForm):
    code = StringField("Code from your authenticator app", validators=[
        Required("Enter the 6-digit code from your authenticator app"), MaxLength(20, "Code")])


class RecoveryCodeForm(BaseForm):
    code = StringField("Recovery code", validators=[
        Required("Enter one of your recovery codes"), MaxLength(40, "Recovery code")])
