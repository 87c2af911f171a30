"""The public data version: moved by triggers on every public change, and only then."""

from __future__ import annotations

import sqlalchemy as sa

from portal import clock, freshness
from portal.attestations.models import Attestation, AttestationStatus
from portal.certificates.models import Certificate
from portal.models import metadata
from portal.organisations.models import Organisation
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company,
    create_cycle,
)


def _version(db) -> int:
    db.rollback()  # a fresh snapshot: what a new request would read
    return freshness.current(db)


def _trigger_sql(db) -> dict[str, str]:
    """{trigger name: its definition}, for the tracked tables."""
    if db.get_bind().dialect.name == "postgresql":
        rows = db.execute(sa.text(
            "SELECT c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"))
    else:
        rows = db.execute(sa.text(
            "SELECT tbl_name || '.' || name, sql FROM sqlite_master WHERE type = 'trigger'"))
    return dict(rows.all())


def test_every_table_is_either_tracked_or_declared_private():
    tables = set(metadata.tables) | {"alembic_version"}
    declared = set(freshness.TRACKED_TABLES) | set(freshness.PRIVATE_TABLES)
    assert tables - declared == set(), "decide: do public pages read these tables?"
    assert declared - tables == set()
    assert not set(freshness.TRACKED_TABLES) & set(freshness.PRIVATE_TABLES)


def test_every_tracked_table_has_its_triggers(app, db):
    triggers = _trigger_sql(db)
    on_table = {name.split(".")[0] for name in triggers}
    assert on_table == set(freshness.TRACKED_TABLES)
    if db.get_bind().dialect.name == "sqlite":
        for table in freshness.TRACKED_TABLES:
            quiet = freshness.QUIET_COLUMNS.get(table, ())
            update = triggers[f"{table}.data_version_{table}_update"]
            # A column added later must be compared too, or its changes would go unseen.
            for column in metadata.tables[table].columns:
                if column.name not in quiet and quiet:
                    assert f'OLD."{column.name}" IS NEW."{column.name}"' in update, column.name


def test_public_changes_move_the_version(app, db):
    start = _version(db)
    company = create_company(db)
    after_insert = _version(db)
    assert after_insert > start
    company.delisted_at = clock.now()
    db.commit()
    assert _version(db) > after_insert
    before_raw = _version(db)
    db.execute(sa.text("UPDATE organisations SET name = 'Renamed by hand'"))
    db.commit()
    assert _version(db) > before_raw


def test_rolled_back_changes_do_not_move_it(app, db):
    start = _version(db)
    create_company(db)
    moved = _version(db)
    db.add(Organisation(name="Never saved", slug="never-saved", search_name="never saved",
                        sector="J", region="TLI", headcount_band="50-249"))
    db.flush()
    db.rollback()
    assert _version(db) == moved > start


def test_editing_an_open_attestation_is_quiet_but_submitting_is_not(app, db):
    cycle = create_cycle(db, 2026)
    attestation = create_attestation(db, create_company(db), cycle)
    before = _version(db)
    attestation = db.get(Attestation, attestation.id)
    attestation.answers = {**attestation.answers, "narrative": {"highlights": "Edited."}}
    attestation.row_version += 1
    db.commit()
    assert _version(db) == before
    attestation.status = AttestationStatus.SUBMITTED
    db.commit()
    submitted = _version(db)
    assert submitted > before
    attestation.headcount = 999  # no longer open to the member: every change is public
    db.commit()
    assert _version(db) > submitted


def test_counting_a_verification_is_quiet_but_revoking_is_not(app, db):
    cycle = create_cycle(db, 2026)
    certificate = create_certificate(db, create_company(db), cycle)
    before = _version(db)
    db.execute(sa.update(Certificate).where(Certificate.id == certificate.id)
               .values(verification_count=Certificate.verification_count + 1))
    db.commit()
    assert _version(db) == before
    db.execute(sa.update(Certificate).where(Certificate.id == certificate.id)
               .values(revoked_at=clock.now()))
    db.commit()
    assert _version(db) > before


def test_many_rows_in_one_transaction_move_it_once_on_postgresql(app, db):
    before = _version(db)
    for n in range(5):
        db.add(Organisation(name=f"Bulk {n}", slug=f"bulk-{n}", search_name=f"bulk {n}",
                            sector="J", region="TLI", headcount_band="50-249"))
    db.commit()
    moved = _version(db) - before
    # PostgreSQL: once per transaction (deferred to commit); SQLite: once per row.
    assert moved == (1 if db.get_bind().dialect.name == "postgresql" else 5)


def test_signing_in_and_browsing_leave_the_version_alone(app, db, client):
    from portal.auth.models import User
    from portal.auth.service import hash_password
    from tests.factories import create_company_with_admin, create_pledge

    organisation, admin = create_company_with_admin(db, "Brightwave Media")
    create_pledge(db, organisation, admin)
    create_cycle(db, 2026)
    admin = db.get(User, admin.id)
    admin.password_hash = hash_password("a long enough password")
    db.commit()
    before = _version(db)
    signed_in = client.submit("/sign-in", {"email": admin.email,
                                           "password": "a long enough password"})
    assert signed_in.status_code == 302
    for path in ("/company/attestation", "/members", f"/members/{organisation.slug}",
                 "/impact", "/account"):
        assert client.get(path).status_code in (200, 302), path
    assert _version(db) == before  # or every sign-in would empty every worker's page cache
