"""The reporting calendar: reminders, the staff digest, the daily run, unsubscribe (issue 8).

Two blueprints: `bp` for the staff pages under /staff/calendar, and `member_bp` for pages
that live elsewhere (a company's reminder choices, the one-click unsubscribe link). The app
factory registers `bp`; registering it registers `member_bp` too.
"""

from flask import Blueprint

bp = Blueprint("calendar", __name__, url_prefix="/staff/calendar")
member_bp = Blueprint("reminders", __name__)


@bp.record_once
def _register_member_pages(state) -> None:
    state.app.register_blueprint(member_bp)
