"""Pledge Portal: create_app wires configuration, extensions, blueprints, errors and the CLI."""

from __future__ import annotations

import importlib
import logging

from flask import Flask

from portal.config import PROJECT_ROOT, load_config

BLUEPRINTS = (
    "portal.pages", "portal.auth", "portal.organisations", "portal.staff", "portal.pledges",
    "portal.attestations", "portal.review", "portal.certificates", "portal.directory",
    "portal.mail", "portal.audit", "portal.calendar", "portal.privacy", "portal.impact",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config(config))
    _configure_logging(app)

    from portal import clock, db, errors, extensions, security, templating
    from portal.cli import init_app as init_cli

    clock.configure(app.config["PORTAL_TIMEZONE"],
                    may_freeze=app.config["PORTAL_ENV"] != "production",
                    frozen_iso=app.config["PORTAL_FROZEN_NOW"])
    db.init_app(app)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    extensions.login_manager.init_app(app)
    from portal.auth import loader  # registers the user loader

    app.before_request(loader.forget_request_globals)

    from portal.urls import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    for module_name in BLUEPRINTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue  # a domain not built yet
        if hasattr(module, "bp"):
            # Views are imported here, not in the package, so models never import views.
            importlib.import_module(f"{module_name}.views")
            app.register_blueprint(module.bp)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    init_cli(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from portal.pdf import warn_if_slow_fonts

    warn_if_slow_fonts()
    return app


def _configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
