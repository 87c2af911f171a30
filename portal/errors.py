"""Friendly error pages; a database outage answers 503, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.extensions import login_manager

log = logging.getLogger(__name__)

PAGES = {
    400: ("Sorry, there is a problem with that request",
          "Check the address or go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should, contact us."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted "
          "the web address, check you copied the entire address."),
    405: ("Sorry, that action is not possible here", "Go back and use the buttons on the page."),
    409: ("That change could not be made", "Go back, reload the page and try again."),
    410: ("This page is no longer available", "It has been removed."),
    413: ("The file or form you sent is too large", "Files can be up to 10 MB. Go back and choose "
          "a smaller file."),
    429: ("Too many attempts", "Wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you saved has "
          "been lost."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes. Nothing you saved has "
          "been lost."),
}


def render_error(code: int, message: str | None = None):
    title, advice = PAGES.get(code, PAGES[500])
    return render_template("errors/error.html", code=code, title=title, advice=advice,
                           message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in PAGES:
            return error
        response = render_error(code)
        if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            return (*response, {"Allow": ", ".join(error.valid_methods)})
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        log.error("Database error: %s", error)
        if isinstance(error, OperationalError) or getattr(error, "connection_invalidated", False):
            # The page must render without the database: show it as to a signed-out visitor
            # (else loading the signed-in user fails again and the visitor gets a bare 500).
            g._login_user = login_manager.anonymous_user()
            return render_error(503)
        return render_error(500)

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("Unhandled error")
        return render_error(500)
