from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.auth.forms import CompanyFieldsMixin
from portal.forms import BaseForm, Email, MaxLength, Required

ROLE_CHOICES = [
    ("admin", "Admin – can sign the pledge, submit the attestation and manage colleagues"),
    ("contributor", "Contributor – can help fill in the attestation, cannot sign or submit"),
]


class ProfileForm(CompanyFieldsMixin, BaseForm):
    description = TextAreaField("Short description (optional)", validators=[
        Optional(), MaxLength(1000, "Description")])
    is_listed = BooleanField("Show our company in the public member directory")
    publishes_metrics = BooleanField(
        "Publish our headline learning figures on our public profile")


class InviteForm(BaseForm):
    email = StringField("Colleague's work email address", validators=[
        Required("Enter your colleague's email address"), MaxLength(254, "Email address"),
        Email()])
    org_role = RadioField("Role", choices=ROLE_CHOICES, validators=[
        Required("Select a role for your colleague")])


class RoleForm(BaseForm):
    org_role = RadioField("Role", choices=ROLE_CHOICES, validators=[Required("Select a role")])
