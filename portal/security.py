"""Security headers on every response, idle timeouts (staff and members)."""

from __future__ import annotations

from flask import Flask, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def init_app(app: Flask) -> None:
    is_production = app.config["PORTAL_ENV"] == "production"
    from portal.auth.sessions import check_session

    app.before_request(check_session)

    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if is_production:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint and not request.endpoint.startswith("static") \
                and "Cache-Control" not in headers and request.method == "GET" \
                and _is_private(request):
            headers["Cache-Control"] = "no-store"
        return response


def _is_private(req) -> bool:
    """Pages shown to a signed-in user are never cached by a shared proxy."""
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)
