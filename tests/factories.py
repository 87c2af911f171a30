"""Plain functions that create test data through the real services and commit it."""

from __future__ import annotations

import itertools

from portal.auth.models import OrgRole, StaffRole, User
from portal.auth.service import create_user
from portal.organisations.service import create_organisation

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def create_company(db, name: str | None = None, **overrides):
    n = next(_sequence)
    values = {"name": name or f"Test Company {n}", "sector": "M", "region": "TLI",
              "headcount_band": "50-249", "website": "https://www.example.com"}
    values.update(overrides)
    organisation = create_organisation(db, **values)
    db.commit()
    return organisation


def create_member(db, organisation, *, role: OrgRole = OrgRole.ADMIN, verified: bool = True,
                  email: str | None = None, name: str | None = None) -> User:
    n = next(_sequence)
    user = create_user(db, email=email or f"member{n}@example.com", name=name or f"Member {n}",
                       password=PASSWORD, organisation=organisation, org_role=role,
                       verified=verified)
    db.commit()
    return user


def create_staff(db, role: StaffRole = StaffRole.REVIEWER, email: str | None = None) -> User:
    n = next(_sequence)
    user = create_user(db, email=email or f"staff{n}@association.example", name=f"Staff {n}",
                       password=PASSWORD, staff_role=role, verified=True)
    db.commit()
    return user


def create_company_with_admin(db, name: str | None = None, verified: bool = True, **overrides):
    organisation = create_company(db, name, **overrides)
    return organisation, create_member(db, organisation, verified=verified)
