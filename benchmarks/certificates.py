"""Certificate rendering speed (issue 6).

1. Median milliseconds per certificate in a warm process: render + sign, and signing alone.
2. 1,000 certificates through `flask --app portal portal issue-certificates` with a process
   pool over every core, against a scratch SQLite database (or --database-url).

    python benchmarks/certificates.py [--renders 60] [--batch 1000] [--workers N]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sample_values(n: int) -> dict:
    vid = f"benchmark{n:015d}"
    return {
        "number": f"PP-2026-{n:06d}-0", "sequence": n, "verification_id": vid,
        "status_list_index": n, "company_name": f"Benchmark Company {n} Ltd",
        "organisation_slug": f"benchmark-{n}", "subject_url": f"http://localhost/members/b-{n}",
        "cycle_year": 2026, "code_version": 1, "code_version_id": 1,
        "criteria": "1. Protected learning time: every employee, one hour a week.",
        "association_name": "The Data & Marketing Association",
        "issued_at_iso": "2026-09-01T12:00:00Z", "issued_on_text": "1 September 2026",
        "valid_until": "2027-12-31", "valid_until_text": "31 December 2027",
        "valid_until_iso": "2027-12-31T23:59:59Z",
        "verification_url": f"http://localhost/verify/{vid}",
        "verify_url_text": "localhost/verify",
    }


def warm_render(renders: int) -> dict:
    from portal import create_app
    from portal.certificates import credentials, render
    from portal.pdf import harfbuzz_subset_available

    logging.disable(logging.WARNING)
    app = create_app({"PORTAL_ENV": "testing", "DATABASE_URL": "sqlite://"})
    with app.app_context():
        for n in range(5):  # warm up: fonts, templates, CSS, key
            render.render_certificate(sample_values(n))
        timings, cpu = [], []
        for n in range(renders):
            started, cpu_started = time.perf_counter(), time.process_time()
            render.render_certificate(sample_values(100 + n))
            timings.append((time.perf_counter() - started) * 1000)
            # CPU time: what one render costs when it has a core to itself (the machine may
            # be shared, and wall time then includes waiting for the CPU).
            cpu.append((time.process_time() - cpu_started) * 1000)
        signing = []
        for n in range(500):
            document = credentials.build_credential(sample_values(n))
            started = time.perf_counter()
            credentials.sign(document)
            signing.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(timings), "cpu_median_ms": statistics.median(cpu),
            "min_ms": min(timings), "p90_ms": sorted(timings)[
        int(len(timings) * 0.9)], "sign_median_ms": statistics.median(signing),
        "harfbuzz_subset": harfbuzz_subset_available()}


def seed_batch(database_url: str, count: int) -> None:
    import sqlalchemy as sa

    from portal import create_app
    from portal.attestations.models import Attestation, ReportingCycle
    from portal.cli import upgrade_database
    from portal.db import session as db
    from portal.organisations.models import Organisation

    upgrade_database(database_url)
    app = create_app({"PORTAL_ENV": "development", "DATABASE_URL": database_url})
    with app.app_context():
        cycle = ReportingCycle(year=2026, opens_on=date(2026, 4, 1), due_on=date(2026, 7, 31),
                               grace_until=date(2026, 12, 31))
        db.add(cycle)
        db.flush()
        db.execute(sa.insert(Organisation), [{
            "name": f"Batch Company {n} Ltd", "search_name": f"batch company {n} ltd",
            "slug": f"batch-company-{n}", "sector": "M", "region": "TLI",
            "headcount_band": "50-249"} for n in range(count)])
        ids = db.execute(sa.select(Organisation.id)).scalars().all()
        db.execute(sa.insert(Attestation), [{
            "organisation_id": org_id, "cycle_id": cycle.id, "status": "approved",
            "answers": {}, "section_status": {}, "copied_sections": []} for org_id in ids])
        db.commit()


def _children_cpu() -> float:
    """CPU seconds of finished child processes, the pool workers included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch(count: int, workers: int, database_url: str | None) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        url = database_url or f"sqlite:///{scratch}/bench.db"
        seed_batch(url, count)
        env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "development",
               "MAIL_URL": "file", "PYTHONPATH": str(ROOT)}
        started, cpu_before = time.perf_counter(), _children_cpu()
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "portal", "portal", "issue-certificates",
             "--cycle", "2026", "--workers", str(workers)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
    return {"certificates": count, "workers": workers, "seconds": elapsed, "cpu_seconds": cpu,
            "output": result.stdout.strip().splitlines()[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=60)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" /
                                                "certificates.md"))
    args = parser.parse_args()
    lines = [f"# Certificate benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", ""]
    load = os.getloadavg()[0]
    warm = warm_render(args.renders)
    lines.append(
        f"- warm render + sign: median {warm['median_ms']:.1f} ms wall "
        f"({warm['cpu_median_ms']:.1f} ms CPU), min {warm['min_ms']:.1f} ms, "
        f"p90 {warm['p90_ms']:.1f} ms over {args.renders} certificates "
        f"(signing alone {warm['sign_median_ms']:.3f} ms; "
        f"libharfbuzz-subset {'present' if warm['harfbuzz_subset'] else 'MISSING'}; "
        f"load average {load:.1f} on {os.cpu_count()} cores)")
    if args.batch:
        result = batch(args.batch, args.workers, args.database_url)
        lines.append(
            f"- issue-certificates: {result['certificates']} certificates in "
            f"{result['seconds']:.1f} s with {result['workers']} workers, including process "
            f"start-up ({result['output']}); {result['cpu_seconds']:.1f} CPU seconds in all, "
            f"so about {result['cpu_seconds'] / result['workers']:.1f} s on {result['workers']}"
            f" idle cores; load average {os.getloadavg()[0]:.1f}")
    print("\n".join(lines))
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
