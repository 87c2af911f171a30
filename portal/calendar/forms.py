from __future__ import annotations

from wtforms import SelectMultipleField

from portal.calendar.preferences import REMINDER_KINDS
from portal.forms import BaseForm


class PreferencesForm(BaseForm):
    # Ticking none is a valid answer (no reminders but the locked ones): nothing is required.
    # Unknown values (a hand-made POST) are ignored by set_preferences, not shown as errors.
    kinds = SelectMultipleField("Emails you get", choices=list(REMINDER_KINDS.items()),
                                validate_choice=False)


OUTBOX_VIEWS = {
    "failed": "Failed",
    "waiting": "Waiting to send",
    "sent": "Sent",
    "all": "All mail",
}
