"""bandit over portal/: no finding of medium or high severity.

The low-severity findings that remain are listed, each with its reason, in docs/security.md
("Static analysis"). pip-audit is not run here: it needs an online advisory service, and a
test that fails whenever the network does would block unrelated work.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from portal.config import PROJECT_ROOT


@pytest.mark.skipif(importlib.util.find_spec("bandit") is None, reason="bandit not installed")
def test_bandit_finds_nothing_of_medium_or_high_severity():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bandit", "-q", "-r", "portal", "-ll", "-f", "json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(result.stdout)
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
                for r in report["results"]]
    assert not findings, "\n".join(findings)
    assert not report["errors"], report["errors"]
