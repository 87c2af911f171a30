"""Certificate pages: public verification, credentials, company downloads, staff actions."""

from __future__ import annotations

from portal.certificates import bp  # noqa: F401
