"""Benchmark /impact on 10,000 companies × 3 cycles, as a ratio to a Flask hello-world.

    python benchmarks/impact.py [--database sqlite|postgresql|both] [--companies 10000]
    python benchmarks/impact.py --url http://127.0.0.1:8000 --hello http://127.0.0.1:8001

The first form builds a scratch database with `seed-demo` and serves it with gunicorn, like
benchmarks/run.py (whose helpers it reuses); the second measures servers already running.
`impact_rows(url, hello, lines)` is what run.py can call to add these rows to its report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # noqa: E402  (benchmarks/ is not a package)
    ROOT,
    base_env,
    flask_cli,
    gunicorn,
    row,
    scratch_database,
    wrk,
)

PAGES = [  # (name, path, minimum ratio to hello-world)
    ("impact", "/impact", 0.10),
    ("impact, one filter", "/impact?sector=J", 0.10),
    ("impact, three filters", "/impact?sector=J&region=TLI&size=50-249", 0.10),
    ("impact, earlier cycle", "/impact?cycle=2025&size=1000%2B", 0.10),
    ("impact trend CSV", "/impact/trend.csv?region=TLI", 0.10),
]


def impact_rows(url: str, hello: dict, lines: list[str]) -> None:
    lines.append("| page | req/s | ratio to hello-world | target | p50 ms | p99 ms | errors |\n")
    lines.append("|---|---|---|---|---|---|---|\n")
    for name, path, target in PAGES:
        row(lines, name, wrk(url + path), hello, target)


def bench(kind: str, companies: int, lines: list[str]) -> None:
    with scratch_database(kind) as database_url:
        env = base_env(database_url)
        flask_cli(env, "db", "upgrade")
        seconds = flask_cli(env, "portal", "seed-demo", "--companies", str(companies),
                            "--cycles", "3")
        lines.append(f"\n### {kind}: {companies:,} companies × 3 cycles "
                     f"(seeded in {seconds:.0f} s)\n\n")
        with gunicorn("hello:app", env, chdir=ROOT / "benchmarks") as (hello_url, _):
            hello = wrk(hello_url + "/")
        lines.append(f"hello-world: {hello['rps']:,.0f} req/s\n\n")
        with gunicorn("portal:create_app()", env) as (url, _):
            impact_rows(url, hello, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"],
                        default="postgresql")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--url", help="measure an already running portal")
    parser.add_argument("--hello", help="…against this already running hello-world")
    args = parser.parse_args()
    lines: list[str] = ["## /impact\n"]
    if args.url:
        impact_rows(args.url, wrk(args.hello + "/"), lines)
    else:
        kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
        for kind in kinds:
            bench(kind, args.companies, lines)
    print("".join(lines))


if __name__ == "__main__":
    main()
