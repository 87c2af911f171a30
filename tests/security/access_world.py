"""The world the access matrix runs in: company A with its objects, company B, two staff.

Every URL argument of every route is filled with one of company A's objects, so a member of
company B asks for A's things and must get 404 (never 403: A's objects are not revealed).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from portal.auth.models import OrgRole, StaffRole, User
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_member,
    create_pledge,
    create_staff,
)

ROLES = ("anonymous", "unverified", "contributor", "admin_a", "admin_b", "reviewer",
         "staff_admin")


@dataclass
class World:
    users: dict[str, User | None]
    args: dict[str, object]
    by_endpoint: dict[str, dict[str, object]] = field(default_factory=dict)


def build_world(db, app) -> World:
    company_a, admin_a = create_company_with_admin(db, "Company A")
    company_b, admin_b = create_company_with_admin(db, "Company B")
    unverified = create_member(db, company_a, verified=False)
    contributor = create_member(db, company_a, role=OrgRole.CONTRIBUTOR)
    reviewer = create_staff(db)
    staff_admin = create_staff(db, StaffRole.ADMIN)
    other_reviewer = create_staff(db)
    last_cycle, cycle = create_cycle(db, 2025), create_cycle(db, 2026)
    pledge = create_pledge(db, company_a, admin_a)
    create_pledge(db, company_b, admin_b)
    approved = create_attestation(db, company_a, last_cycle, status="approved",
                                  submitted_by=admin_a)
    certificate = create_certificate(db, company_a, last_cycle, approved)
    submitted = create_attestation(db, company_a, cycle, status="submitted",
                                   submitted_by=admin_a)
    evidence = _evidence(db, submitted, admin_a)
    invitation = _invitation(db, app, admin_a, company_a)
    version = _first_version(db, submitted, company_a, cycle)
    audit_id, sampled_id = _sample(db, last_cycle, approved, staff_admin)
    users = {"anonymous": None, "unverified": unverified, "contributor": contributor,
             "admin_a": admin_a, "admin_b": admin_b, "reviewer": reviewer,
             "staff_admin": staff_admin}
    args = {
        "user_id": contributor.id, "invitation_id": invitation.id, "pledge_id": pledge.id,
        "attestation_id": submitted.id, "version_id": version.id, "cycle_id": cycle.id,
        "evidence_id": evidence.id, "certificate_id": certificate.id,
        "verification_id": certificate.verification_id, "organisation_id": company_a.id,
        "slug": company_a.slug, "key": "workforce", "year": cycle.year, "version": 1,
        "list_number": 0, "audit_id": audit_id, "sampled_id": sampled_id,
        "token": "not-a-valid-token", "mail_id": _a_mail_id(db),
        "filename": "css/portal.css", "table": "trend",
    }
    from portal.pledges.service import current_code_version

    by_endpoint = {
        # A code version's id, not an attestation version's.
        "pledges": {"version_id": current_code_version(db).id},
        # Resetting 2FA and the staff-accounts pages target a staff account.
        "auth.reset_two_factor": {"user_id": other_reviewer.id},
        "staff": {"user_id": other_reviewer.id},
    }
    return World(users, args, by_endpoint)


def _evidence(db, attestation, uploader):
    from portal.attestations.models import EvidenceBlob, EvidenceFile

    data = b"%PDF-1.4 evidence"
    evidence = EvidenceFile(attestation_id=attestation.id, filename="evidence.pdf",
                            media_type="application/pdf", size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=uploader.id)
    db.add(evidence)
    db.flush()
    db.add(EvidenceBlob(evidence_file_id=evidence.id, data=data))
    db.commit()
    return evidence


def _invitation(db, app, inviter, organisation):
    from portal.auth import service

    with app.test_request_context():
        invitation = service.invite(db, inviter, "invitee@example.com",
                                    org_role=OrgRole.CONTRIBUTOR, organisation=organisation)
    db.commit()
    return invitation


def _first_version(db, attestation, organisation, cycle):
    import sqlalchemy as sa

    from portal.attestations.models import AttestationVersion

    version = db.execute(sa.select(AttestationVersion).where(
        AttestationVersion.attestation_id == attestation.id)).scalars().first()
    # The shape submit_attestation freezes (the factory's snapshot is flatter).
    version.snapshot = {**version.snapshot, "organisation": {"name": organisation.name},
                        "cycle": {"year": cycle.year}}
    db.commit()
    return version


def _a_mail_id(db) -> int:
    import sqlalchemy as sa

    from portal.mail.models import OutboxMail

    return db.execute(sa.select(sa.func.min(OutboxMail.id))).scalar_one()


def _sample(db, cycle, attestation, drawn_by) -> tuple[int, int]:
    from portal.review.models import SampledAttestation, SamplingAudit

    audit = SamplingAudit(cycle_id=cycle.id, percentage=10, seed="seed", population_size=1,
                          message="Please send your learning records.", drawn_by_id=drawn_by.id)
    db.add(audit)
    db.flush()
    sampled = SampledAttestation(sampling_audit_id=audit.id, attestation_id=attestation.id,
                                 organisation_id=attestation.organisation_id)
    db.add(sampled)
    db.commit()
    return audit.id, sampled.id


def url_for_rule(world: World, rule) -> str:
    """The rule's URL with every argument set to company A's object."""
    values = dict(world.args)
    for prefix, overrides in world.by_endpoint.items():
        if rule.endpoint == prefix or rule.endpoint.startswith(prefix + "."):
            values.update(overrides)
    missing = [name for name in rule.arguments if name not in values]
    assert not missing, f"{rule.endpoint}: give tests/security/access_world.py a value " \
                        f"for {missing}"

    def fill(match):
        return str(values[match.group(1)])

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


def outcome(response) -> str:
    """What a person sees, in the words of the matrix."""
    if response.status_code in (301, 302, 303):
        target = urlsplit(response.headers["Location"]).path
        if target == "/sign-in":
            return "login"
        if target == "/confirm-your-email":
            return "verify"
        return "302"
    return str(response.status_code)
