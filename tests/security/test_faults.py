"""Faults: the database restarts mid-traffic, Redis goes away. Private servers only."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from portal.config import PROJECT_ROOT
from tests.security.private_services import (
    have_private_postgres,
    have_redis,
    private_postgres,
    private_redis,
)

pytestmark = pytest.mark.postgres_only


def run_scenario(*args: str) -> dict:
    env = {**os.environ, "PORTAL_ENV": "testing"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.security.fault_driver", *args], cwd=PROJECT_ROOT,
        env=env, capture_output=True, text=True, timeout=300, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(lines[-1].removeprefix("RESULT "))


@pytest.mark.skipif(not have_private_postgres(), reason="needs PostgreSQL 15 server binaries")
def test_database_restart_gives_a_friendly_503_then_recovers_by_itself():
    with private_postgres() as server:
        result = run_scenario("db-restart", server.url.replace(
            "postgresql://", "postgresql+psycopg://"), str(server.data_dir), str(server.port))
    ok = {"status": 200, "friendly": False}
    assert result["before"] == [ok] * 4
    # Signed in or not, every page says the service is unavailable: no stack trace, no 500.
    assert result["during"] == [{"status": 503, "friendly": True}] * 4
    # No restart of the app: pool_pre_ping replaces the dead connections.
    assert result["after"] == [ok] * 4
    assert set(result["traffic"]) <= {200, 503}


@pytest.mark.skipif(not have_redis(), reason="needs redis-server")
def test_redis_down_rate_limits_fall_back_to_memory_and_the_site_stays_up(tmp_path):
    with private_redis() as redis:
        result = run_scenario("redis-down", f"sqlite:///{tmp_path / 'portal.db'}",
                              str(redis.port))
    assert result["before"] == [200]
    assert result["pages"] == [200, 200, 200]
    posts = result["sign_in_posts"]
    assert set(posts[:10]) == {200}  # wrong password: the form again
    assert posts[10:] == [429, 429]  # still limited, from memory
    assert result["logged"], "the fallback to memory is logged"
