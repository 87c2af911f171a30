from wtforms import TextAreaField

from portal.forms import BaseForm, MaxLength, Required


class DelistForm(BaseForm):
    reason = TextAreaField("Reason for delisting (shown on the company's public profile)",
                           validators=[Required("Enter the reason for delisting the company"),
                                       MaxLength(1000, "Reason")])
