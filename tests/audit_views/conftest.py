from datetime import UTC, datetime

import pytest

from portal.auth.models import StaffRole
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_cycle,
    create_pledge,
    create_staff,
)

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(db, frozen_clock):
    """A 2026 cycle, a pledged company whose admin submitted, a reviewer and a staff admin."""
    frozen_clock(NOW)
    cycle = create_cycle(db, 2026)
    organisation, admin = create_company_with_admin(db, "Kestrel CRM")
    create_pledge(db, organisation, admin, signed_at=datetime(2025, 3, 1, tzinfo=UTC))
    attestation = create_attestation(db, organisation, cycle, status="submitted",
                                     submitted_by=admin, submitted_at=NOW)
    reviewer = create_staff(db, StaffRole.REVIEWER)
    staff_admin = create_staff(db, StaffRole.ADMIN)
    return {"cycle": cycle, "organisation": organisation, "admin": admin,
            "attestation": attestation, "reviewer": reviewer, "staff_admin": staff_admin}
