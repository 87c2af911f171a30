"""The certificate panel on the company overview (/company)."""

from __future__ import annotations

from portal import clock
from portal.certificates.service import certificates_query, valid_certificate_for


def company_panel(db, organisation, user) -> dict:
    """The valid certificate (with how often it was checked), else the latest one."""
    current = valid_certificate_for(db, organisation.id, clock.today())
    latest = None
    if current is None:
        latest = db.execute(certificates_query(organisation.id).limit(1)).scalar_one_or_none()
    return {"certificate": current, "latest": latest}
