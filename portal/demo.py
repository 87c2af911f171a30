"""Demo data: realistic companies in every state, loaded idempotently, in bulk when large.

Each domain adds its part in portal/<domain>/demo.py with `seed(db, ctx)`; this module
creates the people and companies they build on and prints the logins.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.auth.models import OrgRole, StaffRole, User
from portal.auth.service import hash_password
from portal.auth.two_factor import seed_demo_secret
from portal.organisations.models import Organisation
from portal.reference import HEADCOUNT_BANDS, REGIONS, SECTORS
from portal.text import fold, slugify

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (demo accounts only, printed by make run)
DEMO_DOMAINS = ("pledges", "attestations", "review", "certificates", "audit", "directory",
                "mail")
STAFF = [
    ("ada.admin@association.example", "Ada Okafor", StaffRole.ADMIN),
    ("sam.admin@association.example", "Sam Whitfield", StaffRole.ADMIN),
    ("rita.reviewer@association.example", "Rita Campbell", StaffRole.REVIEWER),
]
NAMED_COMPANIES = [
    "Müller Data Ltd", "Société Générale de Marketing", "Northern Lights Analytics",
    "Brightwave Media", "Clearpath Insight", "Ørsted Data Partners", "Harbour & Finch",
    "Lumen Loyalty Ltd", "Peak District Research", "Café Crème Creative", "Kestrel CRM",
    "Thistle Direct", "Dragon Data Cymru", "Greenfield Segments", "Atlas Audience Lab",
]
PREFIXES = ["Blue", "North", "Silver", "Bright", "Oak", "River", "Summit", "Cedar", "Nova",
            "Harbour", "Zoë", "Crown", "Maple", "Iron", "Swift", "Élan", "Pioneer", "Amber"]
SUFFIXES = ["Data", "Marketing", "Analytics", "Insight", "Media", "Digital", "Research",
            "Loyalty", "Direct", "Creative", "Audience", "Metrics"]
FORMS = ["Ltd", "Limited", "LLP", "Group", "plc", "& Co"]


@dataclass
class DemoContext:
    """What the domain seeders share: who exists, and lines to print at the end."""

    companies: list[Organisation]
    admins: dict[int, User]
    staff: dict[str, User]
    cycles: int
    rng: random.Random
    lines: list[str] = field(default_factory=list)


def company_name(index: int, rng: random.Random) -> str:
    if index < len(NAMED_COMPANIES):
        return NAMED_COMPANIES[index]
    return f"{rng.choice(PREFIXES)} {rng.choice(SUFFIXES)} {rng.choice(FORMS)} {index}"


def admin_email(slug: str) -> str:
    return f"admin@{slug}.example"


def _ensure_staff(db: Session, password_hash: str) -> dict[str, User]:
    staff = {}
    for email, name, role in STAFF:
        user = db.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:
            user = User(email=email, name=name, password_hash=password_hash, staff_role=role,
                        email_verified_at=clock.now())
            db.add(user)
        seed_demo_secret(user)  # fixed TOTP secret, never in production
        staff[email] = user
    db.flush()
    return staff


def _ensure_companies(db: Session, count: int, password_hash: str):
    existing = {o.slug: o for o in db.execute(sa.select(Organisation)).scalars()}
    new_orgs, now = [], clock.now()
    for index in range(count):
        # One generator per company: a re-run names company N exactly as the first run did.
        rng = random.Random(f"demo-company-{index}")
        name = company_name(index, rng)
        slug = slugify(name)
        if slug in existing:
            continue
        new_orgs.append({
            "name": name, "search_name": fold(name), "slug": slug,
            "company_number": f"{index + 10_000_000:08d}"
            if index % 3 else None,
            "sector": rng.choice(SECTORS)[0], "region": rng.choice(REGIONS)[0],
            "headcount_band": rng.choice(HEADCOUNT_BANDS)[0],
            "website": f"https://www.{slug}.example", "description":
            f"{name} helps brands understand and respect their customers.",
            "is_listed": True, "publishes_metrics": index % 2 == 0,
            "created_at": now, "updated_at": now,
        })
        existing[slug] = None
    if new_orgs:
        # Bulk insert: 10,000 companies must load in seconds, not minutes. A Core insert
        # keeps every row's keys (the ORM form drops None values, so companies with and
        # without a company number alternate and it sent one statement per pair of rows).
        db.execute(sa.insert(Organisation.__table__), new_orgs)
    companies = list(db.execute(sa.select(Organisation).order_by(Organisation.id)).scalars())
    _ensure_admins(db, companies, password_hash, now)
    admins = {u.organisation_id: u for u in db.execute(
        sa.select(User).where(User.org_role == OrgRole.ADMIN).order_by(User.id.desc())
    ).scalars()}
    return companies, admins


def _ensure_admins(db: Session, companies, password_hash: str, now) -> None:
    have_admin = set(db.execute(
        sa.select(User.organisation_id).where(User.org_role == OrgRole.ADMIN)
    ).scalars())
    rows = [{
        "email": admin_email(o.slug), "name": f"Alex Morgan ({o.name})"[:120],
        "password_hash": password_hash, "email_verified_at": now, "organisation_id": o.id,
        "org_role": OrgRole.ADMIN.value, "session_version": 1, "created_at": now,
    } for o in companies if o.id not in have_admin]
    if rows:
        db.execute(sa.insert(User.__table__), rows)


def seed(db: Session, companies: int = 12, cycles: int = 2) -> list[str]:
    rng = random.Random(2026)  # the same demo every time
    password_hash = hash_password(DEMO_PASSWORD)
    staff = _ensure_staff(db, password_hash)
    orgs, admins = _ensure_companies(db, companies, password_hash)
    context = DemoContext(orgs[:max(companies, 0)] if len(orgs) > companies else orgs,
                          admins, staff, cycles, rng)
    for domain in DEMO_DOMAINS:
        try:
            module = importlib.import_module(f"portal.{domain}.demo")
        except ModuleNotFoundError as error:
            if error.name not in (f"portal.{domain}", f"portal.{domain}.demo"):
                raise
            continue
        module.seed(db, context)
        db.flush()
    db.commit()
    _refresh_statistics(db)
    return _login_lines(context)


def _refresh_statistics(db: Session) -> None:
    """PostgreSQL plans from table statistics that a bulk load leaves empty until autovacuum
    gets round to it: pages visited right after seeding would be planned as if tables were
    empty (full scans per row). ANALYZE now, as after any bulk load."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(sa.text("ANALYZE"))
        db.commit()


def _login_lines(context: DemoContext) -> list[str]:
    lines = ["", "Demo logins (password for every account: " + DEMO_PASSWORD + ")", ""]
    for email, user in context.staff.items():
        lines.append(f"  staff {user.staff_role.value:<9} {email}")
        if seed_demo_secret(user):
            lines.append(f"        two-factor secret {user.totp_secret} (development only; "
                         f"code now: {pyotp.TOTP(user.totp_secret).now()})")
    shown = context.companies[:15]
    for organisation in shown:
        admin = context.admins.get(organisation.id)
        if admin is not None:
            lines.append(f"  member admin    {admin.email:<48} {organisation.name}")
    if len(context.companies) > len(shown):
        lines.append(f"  … and {len(context.companies) - len(shown):,} more companies "
                     "(admin@<slug>.example)")
    return [*lines, *context.lines, ""]
