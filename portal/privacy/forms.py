from wtforms import PasswordField

from portal.forms import BaseForm, Required


class DeleteAccountForm(BaseForm):
    password = PasswordField("Your password", validators=[
        Required("Enter your password to confirm it is you")])
