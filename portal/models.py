"""Every model, imported in one place for Alembic and the tests."""

import importlib

from portal.db import Base

DOMAINS = ("organisations", "auth", "audit", "mail", "pledges", "attestations", "review",
           "certificates", "directory", "calendar")

for _domain in DOMAINS:
    try:
        importlib.import_module(f"portal.{_domain}.models")
    except ModuleNotFoundError as error:
        if error.name not in (f"portal.{_domain}", f"portal.{_domain}.models"):
            raise

importlib.import_module("portal.freshness")  # the public data version (not a domain)

metadata = Base.metadata
