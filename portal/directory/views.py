"""Public directory pages (routes are added as they are built)."""

from portal.directory import bp  # noqa: F401
