"""`flask --app portal portal issue-certificates --cycle YYYY`: fill in missing certificates.

Rendering is CPU-bound, so it runs in a process pool using every core; the parent process
allocates numbers and writes rows (one writer: no sequence races), committing in batches.
Workers are recycled every few hundred renders because WeasyPrint's memory grows per render.
"""

from __future__ import annotations

import os
import time
from multiprocessing import get_context

import click
import sqlalchemy as sa
from flask import current_app

from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.audit.service import record
from portal.certificates import render, service
from portal.certificates.models import Certificate
from portal.cli import portal_cli
from portal.db import session as db
from portal.organisations.models import Organisation

RECYCLE_AFTER = 400
COMMIT_EVERY = 100
SMALL_BATCH = 8
# What a worker needs to render and sign; workers never open the database.
WORKER_CONFIG_KEYS = ("PORTAL_ENV", "SECRET_KEY", "DATABASE_URL", "PORTAL_BASE_URL",
                      "ASSOCIATION_NAME", "CREDENTIAL_KEY_PATH", "CREDENTIAL_PRIVATE_JWK",
                      "PORTAL_TIMEZONE", "MAIL_URL")
_worker_app = None


def _init_worker(config: dict) -> None:
    global _worker_app
    from portal import create_app

    _worker_app = create_app(config)
    _worker_app.app_context().push()


def _render(values: dict) -> tuple[bytes, str]:
    return render.render_certificate(values)


def attestations_missing_certificates(session, year: int) -> list[Attestation]:
    # Any certificate counts, revoked ones too: revocation is final, never undone by a batch.
    has_certificate = sa.select(Certificate.id).where(
        Certificate.attestation_id == Attestation.id).exists()
    return list(session.execute(
        sa.select(Attestation).join(ReportingCycle).where(
            ReportingCycle.year == year, Attestation.status == AttestationStatus.APPROVED,
            ~has_certificate).order_by(Attestation.id)
    ).scalars())


def _prepare(attestations: list[Attestation], year: int) -> list[tuple[Certificate, dict]]:
    if not attestations:
        return []
    # One query for all the companies (each attestation.organisation is then an identity-map
    # hit) and one for the end date, which is the same for the whole cycle.
    db.execute(sa.select(Organisation).where(
        Organisation.id.in_([a.organisation_id for a in attestations]))).scalars().all()
    valid_until = service.valid_until_for(db, attestations[0].cycle)
    sequence = service.next_sequence(db, year)
    index = service.next_status_index(db)
    return [service.new_certificate(db, attestation, sequence=sequence + offset,
                                    status_list_index=index + offset, valid_until=valid_until)
            for offset, attestation in enumerate(attestations)]


def _store(certificate: Certificate, pdf: bytes, token: str) -> None:
    service.attach_rendering(certificate, pdf, token)
    db.add(certificate)
    db.flush()
    record(db, "certificate_issued", obj=certificate, organisation_id=certificate.organisation_id,
           detail={"number": certificate.number, "via": "issue-certificates",
                   "pdf_sha256": certificate.pdf_sha256})
    service.notify_company(db, certificate, "certificate_issued",
                           f"Your People Pillar certificate {certificate.number}")


def issue_missing(year: int, workers: int) -> int:
    prepared = _prepare(attestations_missing_certificates(db, year), year)
    # Starting a worker costs about a second (it builds the app): not worth it for a few.
    if workers <= 1 or len(prepared) < SMALL_BATCH:
        renders = (_render(values) for _certificate, values in prepared)
        return _store_all(prepared, renders)
    config = {key: current_app.config[key] for key in WORKER_CONFIG_KEYS}
    pool = get_context("spawn").Pool(workers, initializer=_init_worker, initargs=(config,),
                                     maxtasksperchild=RECYCLE_AFTER)
    with pool:
        renders = pool.imap(_render, [values for _certificate, values in prepared], chunksize=4)
        return _store_all(prepared, renders)


def _store_all(prepared, renders) -> int:
    count = 0
    for (certificate, _values), (pdf, token) in zip(prepared, renders, strict=True):
        _store(certificate, pdf, token)
        count += 1
        if count % COMMIT_EVERY == 0:
            db.commit()
    db.commit()
    return count


@portal_cli.command("issue-certificates")
@click.option("--cycle", "year", type=int, required=True, help="Reporting cycle year, e.g. 2026")
@click.option("--workers", type=int, default=lambda: os.cpu_count() or 1, show_default="cores")
def issue_certificates(year, workers):
    """Issue certificates for approved attestations of a cycle that have none."""
    if db.execute(sa.select(ReportingCycle.id).where(ReportingCycle.year == year)).first() \
            is None:
        raise click.ClickException(f"There is no reporting cycle {year}")
    started = time.perf_counter()
    count = issue_missing(year, max(1, workers))
    elapsed = time.perf_counter() - started
    click.echo(f"Issued {count} certificate{'s' if count != 1 else ''} for cycle {year} "
               f"in {elapsed:.1f} s using {workers} worker{'s' if workers != 1 else ''}.")


@portal_cli.command("generate-credential-key")
def generate_credential_key():
    """Print a new Ed25519 private JWK for CREDENTIAL_PRIVATE_JWK (keep it secret)."""
    import json

    from joserfc.jwk import OKPKey

    click.echo(json.dumps(OKPKey.generate_key("Ed25519", private=True).as_dict(private=True)))


@portal_cli.command("credential-public-key")
def credential_public_key():
    """Print the current signing key's public JWK on one line: before switching to a new key,
    append it to CREDENTIAL_RETIRED_PUBLIC_JWKS (docs/deploy.md §8)."""
    import json

    from portal.certificates.credentials import public_jwk

    click.echo(json.dumps(public_jwk(), separators=(",", ":")))
