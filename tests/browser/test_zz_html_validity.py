"""Every page the journeys saw is valid HTML: one run of the Nu Html Checker (vnu.jar).

It runs after the other browser tests (see conftest) and checks the HTML the server sent for
each distinct page they audited. Run alone, it first visits the public pages itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from portal.config import PROJECT_ROOT
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.postgres_only, pytest.mark.html_validation]

VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _visit_public_pages(page, audit):
    page.goto("/")
    audit(page, "home")
    page.goto("/register")
    audit(page, "register")
    page.get_by_role("button", name="Register").click()
    audit(page, "register (errors)")


def test_every_page_seen_is_valid_html(page, audit):
    java = shutil.which("java")
    assert java, "Java is needed for the Nu Html Checker (apt-get install openjdk-17-jre-headless)"
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run `npm ci --ignore-scripts`"
    if not audit.html:
        _visit_public_pages(page, audit)
    folder = ARTIFACTS / "html"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = {}
    for number, (name, html) in enumerate(audit.html.items(), start=1):
        slug = re.sub(r"[^\w]+", "-", name).strip("-")
        path = folder / f"{number:03d}-{slug}.html"
        path.write_text(html)
        files[str(path)] = name
    result = subprocess.run(  # noqa: S603
        [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True, text=True, timeout=300, check=True)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, "The Nu Html Checker found errors:\n" + "\n".join(
        f"  {files.get(m.get('url', '').removeprefix('file:'), m.get('url'))} "
        f"line {m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()}]"
        for m in errors)
    assert len(files) >= 3
    audit.html_validated = len(files)

