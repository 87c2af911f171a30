"""`make bench`: load the portal with 10,000 companies and measure it against hello-world.

Every throughput figure is a ratio to a Flask "hello world" served by the same gunicorn settings
in the same run, so the numbers mean something on any machine. Writes results/latest.md.

    python benchmarks/run.py [--database sqlite|postgresql|both] [--companies 10000]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORKERS, CONNECTIONS, SECONDS = 2, 32, 8
P99_TARGET_MS = 150
TARGETS = {  # minimum ratio to hello-world (issue 10)
    "directory": 0.15, "directory searched": 0.10, "directory filtered": 0.10,
    "profile": 0.15, "verify": 0.20, "badge": 0.30,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(database_url: str) -> dict:
    # Development differs from production only in cookie flags (Secure cookies would not travel
    # over the benchmark's plain http) and mail delivery; debug stays off.
    return {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": database_url,
            "SECRET_KEY": "benchmark-secret-" + uuid.uuid4().hex, "MAIL_URL": "file",
            "PORTAL_BASE_URL": "http://127.0.0.1"}


def flask_cli(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([PYTHON, "-m", "flask", "--app", "portal", *args], cwd=ROOT,  # noqa: S603
                   env={**env, "PORTAL_ENV": "development"}, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


@contextmanager
def gunicorn(app_spec: str, env: dict, chdir: Path = ROOT):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app_spec], cwd=chdir, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=15)


def wrk(url: str, headers: dict | None = None) -> dict:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": rate, "requests": requests, "p50": _ms(output, "50%"),
            "p99": _ms(output, "99%"),
            "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def _ms(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def sample_targets(database_url: str) -> dict:
    """URLs that exist in the generated data: a profile, a certificate, a member login."""
    import sqlalchemy as sa

    url = database_url.replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        slug = conn.execute(sa.text(
            "SELECT o.slug FROM organisations o JOIN certificates c ON c.organisation_id = o.id "
            "WHERE c.revoked_at IS NULL ORDER BY o.id LIMIT 1")).scalar()
        verification = conn.execute(sa.text(
            "SELECT verification_id FROM certificates WHERE revoked_at IS NULL "
            "ORDER BY id LIMIT 1")).scalar()
        admin = conn.execute(sa.text(
            "SELECT u.email FROM users u JOIN attestations a ON a.organisation_id = "
            "u.organisation_id WHERE u.org_role = 'admin' ORDER BY u.id LIMIT 1")).scalar()
    engine.dispose()
    return {"slug": slug, "verification_id": verification, "admin": admin}


def member_cookie(base: str, email: str) -> str:
    from portal.demo import DEMO_PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    opener.open(base + "/sign-in", urllib.parse.urlencode(
        {"email": email, "password": DEMO_PASSWORD, "csrf_token": token}).encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def pages(targets: dict) -> list[tuple[str, str, bool]]:
    """(name, path, needs login)."""
    slug, verification = targets["slug"], targets["verification_id"]
    listed = [
        ("directory", "/members", False),
        ("directory searched", "/members?q=data", False),
        ("directory filtered", "/members?sector=J&region=TLI&size=50-249", False),
        ("JSON API", "/api/v1/members", False),
        ("impact", "/impact", False),
        ("impact filtered", "/impact?sector=J&size=50-249", False),
        ("attestation task list", "/company/attestation", True),
    ]
    if slug:
        listed[3:3] = [("profile", f"/members/{slug}", False),
                       ("badge", f"/members/{slug}/badge.svg", False)]
    if verification:
        listed[3:3] = [("verify", f"/verify/{verification}", False),
                       ("certificate PDF", f"/verify/{verification}/certificate.pdf", False)]
    return listed


def rss_kb(pid: int) -> int:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,  # noqa: S603, S607
                              text=True).stdout.split()
    worker = children[0] if children else str(pid)
    status = Path(f"/proc/{worker}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def bench_database(kind: str, companies: int, lines: list[str]) -> None:
    with scratch_database(kind) as database_url:
        env = base_env(database_url)
        flask_cli(env, "db", "upgrade")
        seconds = flask_cli(env, "portal", "seed-demo", "--companies", str(companies),
                            "--cycles", "3")
        lines.append(f"\n### {kind}: {companies:,} companies\n")
        lines.append(f"seed-demo --companies {companies} --cycles 3: {seconds:.1f} s\n")
        targets = sample_targets(database_url)
        with gunicorn("hello:app", env, chdir=ROOT / "benchmarks") as (hello_url, _):
            hello = wrk(hello_url + "/")
        with gunicorn("minimal:app", {**env, "DATABASE_URL": database_url},
                      chdir=ROOT / "benchmarks") as (minimal_url, _):
            minimal = wrk(minimal_url + "/")
            minimal_search = wrk(minimal_url + "/?q=data")
        lines.append(f"hello-world: {hello['rps']:,.0f} req/s (p50 {hello['p50']:.1f} ms)\n\n")
        lines.append(f"minimal Flask+SQLAlchemy page (reference): {ratio(minimal, hello)}; "
                     f"with substring search: {ratio(minimal_search, hello)}\n\n")
        # Worked out on every request (the page cache off: what a cache miss costs), then as
        # served: anonymous visitors share remembered pages (portal.pagecache).
        worked_out, _ = load_portal({**env, "PORTAL_PAGE_CACHE": "off"}, targets)
        served, memory = load_portal(env, targets)
        lines.append("| page | worked out every time | as served (remembered) | target "
                     "| p50 ms | p99 ms | errors |\n")
        lines.append("|---|---|---|---|---|---|---|\n")
        for name, result in served.items():
            row(lines, name, worked_out[name], result, hello, TARGETS.get(name))
        (first_count, first_rss), (last_count, last_rss) = memory[0], memory[-1]
        growth = (last_rss - first_rss) / first_rss * 100
        lines.append(f"\nWorker RSS after {first_count:,} requests: {first_rss / 1024:.1f} MB; "
                     f"after {last_count:,} mixed requests: {last_rss / 1024:.1f} MB "
                     f"({growth:+.1f} %, target within ±20 %)\n")


def load_portal(env: dict, targets: dict) -> tuple[dict, list]:
    """{page name: wrk result} and [(requests served so far, worker RSS in kB)]."""
    results, memory, served = {}, [], 0
    with gunicorn("portal:create_app()", env) as (url, process):
        cookie = member_cookie(url, targets["admin"]) if targets["admin"] else ""
        for name, path, needs_login in pages(targets):
            results[name] = wrk(url + path, {"Cookie": cookie} if needs_login else None)
            served += results[name]["requests"]
            memory.append((served, rss_kb(process.pid)))
    return results, memory


def ratio(result: dict, hello: dict) -> str:
    return f"{result['rps']:,.0f} req/s, {result['rps'] / hello['rps']:.1%}"


def row(lines, name, worked_out, served, hello, target=None):
    share = served["rps"] / hello["rps"]
    fast_enough = share >= target and served["p99"] < P99_TARGET_MS if target else None
    verdict = "" if target is None else f"≥ {target:.0%} {'✓' if fast_enough else '✗'}"
    errors = served["errors"] or served["socket_errors"] or 0
    lines.append(f"| {name} | {ratio(worked_out, hello)} | {ratio(served, hello)} | {verdict} | "
                 f"{served['p50']:.1f} | {served['p99']:.1f} | {errors} |\n")


@contextmanager
def scratch_database(kind: str):
    if kind == "sqlite":
        path = Path(f"/tmp/portal-bench-{uuid.uuid4().hex[:8]}.db")  # noqa: S108
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/]+$", f"/{name}", PG_ADMIN)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--companies", type=int, default=10_000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    lines = [f"# Benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n",
             f"Machine: {os.cpu_count()} cores; gunicorn {WORKERS} sync workers; wrk "
             f"{CONNECTIONS} connections for {SECONDS} s per page, on loopback.\n"]
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        bench_database(kind, args.companies, lines)
    extra = ROOT / "benchmarks" / "certificates.py"
    if extra.exists():
        lines.append("\n### Certificates\n\n")
        result = subprocess.run([PYTHON, str(extra)], cwd=ROOT, capture_output=True,  # noqa: S603
                                text=True, env={**os.environ, "PORTAL_ENV": "development"})
        lines.append("```\n" + (result.stdout or result.stderr)[-3000:] + "\n```\n")
    RESULTS.mkdir(exist_ok=True)
    text = "".join(lines)
    (RESULTS / "latest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
