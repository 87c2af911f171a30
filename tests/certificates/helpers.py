"""Arrange issued certificates through the real issue_certificate."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup

from portal import clock
from portal.certificates.service import issue_certificate
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)


def issue_for_new_company(db, name="Acme Learning Ltd", year=2026, *, cycle=None):
    """(certificate, company admin) for a new company with an approved attestation."""
    organisation, admin = create_company_with_admin(db, name)
    create_pledge(db, organisation, admin)
    cycle = cycle or create_cycle(db, year)
    attestation = create_attestation(db, organisation, cycle, status="approved")
    certificate = issue_certificate(db, attestation, None)
    db.commit()
    return certificate, admin


def page(response) -> BeautifulSoup:
    soup = BeautifulSoup(response.data, "html.parser")
    assert len(soup.find_all("h1")) == 1, "a page has exactly one <h1>"
    return soup


def text_of(response) -> str:
    return " ".join(page(response).get_text(" ").split())


def set_today(frozen_clock, day: date) -> None:
    frozen_clock(day)
    assert clock.today() == day
