from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)


def test_factories_build_a_submitted_attestation(db):
    organisation, admin = create_company_with_admin(db, "Factory Test Ltd")
    pledge = create_pledge(db, organisation, admin)
    cycle = create_cycle(db, 2026)
    attestation = create_attestation(db, organisation, cycle, status="submitted",
                                     submitted_by=admin)
    assert pledge.is_active
    assert attestation.status == "submitted"
    # 5,600 hours ÷ 100 people ÷ (365 ÷ 7) weeks
    assert round(float(attestation.avg_hours_per_week), 2) == 1.07
    assert attestation.coverage_pct == 90
