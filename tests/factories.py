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


# Pledges, cycles, attestations: direct inserts so every domain's tests can arrange state
# without going through another domain's forms.

def create_pledge(db, organisation, signer=None, *, version=None, signed_at=None):
    import hashlib

    from portal import clock
    from portal.pledges.models import Pledge
    from portal.pledges.service import current_code_version

    version = version or current_code_version(db)
    text = f"{organisation.name} commits to {version.title}."
    pledge = Pledge(
        reference=f"PL-TEST-{next(_sequence):06d}", organisation_id=organisation.id,
        code_version_id=version.id, signed_by_id=getattr(signer, "id", None),
        signatory_name=getattr(signer, "name", "Test Signer"), signatory_title="Director",
        signed_at=signed_at or clock.now(), signed_text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        active_organisation_id=organisation.id,
    )
    db.add(pledge)
    db.commit()
    return pledge


def create_cycle(db, year: int, **overrides):
    from datetime import date

    from portal.attestations.models import ReportingCycle

    values = {"year": year, "opens_on": date(year, 4, 1), "due_on": date(year, 7, 31),
              "grace_until": date(year, 12, 31)}
    values.update(overrides)
    cycle = ReportingCycle(**values)
    db.add(cycle)
    db.commit()
    return cycle


GOOD_ANSWERS = {
    "workforce": {"period_start": "2025-01-01", "period_end": "2025-12-31", "headcount": 100,
                  "fte": None},
    "learning": {"has_policy": True, "policy_description": "Friday learning hour for all.",
                 "total_hours": 5600, "employees_meeting_hour": 90,
                 "recording_methods": ["lms"], "formats": ["online_courses", "workshops"],
                 "micro_credentials": 12},
    "dei": {"policy_url": "https://www.example.com/dei", "has_senior_sponsor": True,
            "training_completion_pct": 85, "data_collected": ["gender", "ethnicity"],
            "pay_gap_url": None, "recruitment_practices": ["anonymised_cvs", "diverse_panels"],
            "has_adjustments_policy": True},
    "narrative": {"highlights": "We ran a learning week.", "plans": "More coaching."},
}


def create_attestation(db, organisation, cycle, *, status="draft", answers=None,
                       submitted_by=None, submitted_at=None, is_late=False):
    """An attestation in any status; submitted ones get a frozen AttestationVersion."""
    import copy
    import hashlib
    import json
    from decimal import Decimal

    from portal import clock
    from portal.attestations.models import Attestation, AttestationStatus, AttestationVersion

    answers = copy.deepcopy(answers if answers is not None else GOOD_ANSWERS)
    workforce, learning = answers.get("workforce", {}), answers.get("learning", {})
    headcount = workforce.get("headcount")
    avg = coverage = None
    if headcount and learning.get("total_hours") is not None:
        avg = Decimal(learning["total_hours"]) / Decimal(headcount) / (Decimal(365) / 7)
        coverage = Decimal(learning.get("employees_meeting_hour", 0)) * 100 / Decimal(headcount)
    attestation = Attestation(
        organisation_id=organisation.id, cycle_id=cycle.id, status=AttestationStatus(status),
        answers=answers, section_status={k: "completed" for k in answers},
        headcount=headcount, avg_hours_per_week=avg, coverage_pct=coverage, is_late=is_late,
    )
    db.add(attestation)
    db.flush()
    if attestation.status != AttestationStatus.DRAFT:
        moment = submitted_at or clock.now()
        attestation.submitted_at = attestation.first_submitted_at = moment
        attestation.submitted_by_id = getattr(submitted_by, "id", None)
        # The same shape as attestations.service.build_snapshot freezes.
        snapshot = {"answers": answers,
                    "organisation": {"id": organisation.id, "name": organisation.name},
                    "cycle": {"year": cycle.year,
                              "min_avg_hours_per_week": str(cycle.min_avg_hours_per_week),
                              "min_coverage_pct": cycle.min_coverage_pct},
                    "evidence": [], "declaration": {"name": "Test Signer", "role": "Director"}}
        body = json.dumps(snapshot, sort_keys=True, default=str)
        db.add(AttestationVersion(
            attestation_id=attestation.id, number=1,
            reference=f"AT-{cycle.year}-{attestation.id:06d}-1",
            snapshot=snapshot, sha256=hashlib.sha256(body.encode()).hexdigest(),
            submitted_at=moment, submitted_by_id=attestation.submitted_by_id, is_late=is_late,
            headcount=headcount, avg_hours_per_week=avg, coverage_pct=coverage,
        ))
        if attestation.status in (AttestationStatus.APPROVED, AttestationStatus.REJECTED):
            attestation.decided_at = moment
    db.commit()
    return attestation


def create_certificate(db, organisation, cycle, attestation=None, *, issued_at=None,
                       valid_until=None, revoked_at=None, number=None):
    """A certificate row inserted directly (no PDF rendering): for the directory's tests."""
    import hashlib
    import secrets
    from datetime import date

    from portal import clock
    from portal.certificates.models import Certificate

    if attestation is None:
        attestation = create_attestation(db, organisation, cycle, status="approved")
    n = next(_sequence)
    certificate = Certificate(
        number=number or f"PP-{cycle.year}-{n:06d}-0", sequence=n,
        verification_id=secrets.token_urlsafe(16), organisation_id=organisation.id,
        attestation_id=attestation.id, cycle_id=cycle.id, status_list_index=n,
        issued_at=issued_at or clock.now(),
        valid_until=valid_until or date(cycle.year + 1, cycle.due_on.month, cycle.due_on.day),
        pdf=b"%PDF-1.4 test", pdf_sha256=hashlib.sha256(b"%PDF-1.4 test").hexdigest(),
        rendered_values={"organisation": organisation.name, "cycle": cycle.year},
        template_version="test", weasyprint_version="test", revoked_at=revoked_at,
    )
    db.add(certificate)
    db.commit()
    return certificate


# Staff two-factor authentication (issue 11). `login_as` sets the session directly and is
# treated as fully signed in; these are for tests that go through the real sign-in pages.

def enrol_two_factor(db, user) -> str:
    """Give a staff user a TOTP secret (as if enrolled); returns the secret."""
    import pyotp

    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    db.commit()
    return user.totp_secret


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The current code (or one a step later: the portal accepts one step of drift)."""
    import time

    import pyotp

    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def sign_in_with_two_factor(client, user, secret: str, next_url: str | None = None):
    """Password then code, through the real pages. Returns the response to the code POST."""
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    response = client.submit(url, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client.submit("/sign-in/two-factor", {"code": totp_code(secret)})


# Review (issue 5) -----------------------------------------------------------------------------

def add_attestation_version(db, attestation, *, answers=None, submitted_by=None,
                            status="submitted"):
    """A resubmission: freeze the next AttestationVersion the way submit_attestation does."""
    import copy
    import hashlib
    import json

    import sqlalchemy as sa

    from portal import clock
    from portal.attestations.models import AttestationStatus, AttestationVersion

    if answers is not None:
        attestation.answers = copy.deepcopy(answers)
    number = (db.execute(sa.select(sa.func.max(AttestationVersion.number)).where(
        AttestationVersion.attestation_id == attestation.id)).scalar() or 0) + 1
    snapshot = {"answers": attestation.answers}
    body = json.dumps(snapshot, sort_keys=True, default=str)
    version = AttestationVersion(
        attestation_id=attestation.id, number=number,
        reference=f"AT-{attestation.id:06d}-{number}", snapshot=snapshot,
        sha256=hashlib.sha256(body.encode()).hexdigest(), submitted_at=clock.now(),
        submitted_by_id=getattr(submitted_by, "id", None),
        headcount=attestation.headcount, avg_hours_per_week=attestation.avg_hours_per_week,
        coverage_pct=attestation.coverage_pct,
    )
    db.add(version)
    attestation.status = AttestationStatus(status)
    attestation.submitted_at = version.submitted_at
    db.commit()
    return version
