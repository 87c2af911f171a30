"""Scale-out on standard parts: two gunicorn instances, one PostgreSQL, one Redis.

Nothing lives on a worker's local disk, so a person can sign in on one instance and carry on
on the other, and the login rate limit counts across both.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import redis

from portal.cli import upgrade_database
from portal.config import PROJECT_ROOT
from tests.conftest import postgres_available, postgres_database
from tests.scale.servers import free_port, wait_until_up

pytestmark = pytest.mark.postgres_only
PASSWORD = "two instances password"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not postgres_available():
        pytest.skip("PostgreSQL is unreachable")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip("Redis is unreachable")
    logs = tmp_path_factory.mktemp("cluster")
    prefix = f"scale-test-{uuid.uuid4().hex[:8]}"
    with postgres_database() as database_url:
        upgrade_database(database_url)
        env = {**os.environ, "PORTAL_ENV": "testing", "DATABASE_URL": database_url,
               "SECRET_KEY": "shared-cluster-secret", "MAIL_URL": "file",
               "MAIL_DIR": str(logs / "mail"),
               "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
               "RATELIMIT_KEY_PREFIX": prefix}
        processes, urls = [], []
        with contextlib.ExitStack() as files:
            for name in ("a", "b"):
                port = free_port()
                url = f"http://127.0.0.1:{port}"
                log = files.enter_context((logs / f"{name}.log").open("w"))
                processes.append(subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
                     f"127.0.0.1:{port}", "portal:create_app()"],
                    cwd=PROJECT_ROOT, env={**env, "PORTAL_BASE_URL": url}, stdout=log,
                    stderr=subprocess.STDOUT))
                urls.append(url)
            try:
                for process, url in zip(processes, urls, strict=True):
                    wait_until_up(process, url)
                yield {"urls": urls, "database_url": database_url, "prefix": prefix}
            finally:
                for process in processes:
                    process.terminate()
                    process.wait(timeout=10)


class Browser:
    """A cookie jar shared across both instances, like one browser behind a load balancer."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()]
        self.opener = urllib.request.build_opener(*handlers)

    def get(self, url):
        return self._open(urllib.request.Request(url))  # noqa: S310 (http to loopback)

    def submit(self, form_url, data, post_url=None):
        page = self.get(form_url).body
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        return self._open(urllib.request.Request(post_url or form_url, data=body))  # noqa: S310

    def _open(self, request):
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        response.body = response.read().decode()
        return response


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def forget_sign_ins(cluster) -> None:
    """Empty the shared login counters, so one test's attempts do not limit the next."""
    store = redis.Redis(host="127.0.0.1", port=6379)
    for key in store.scan_iter(f"*{cluster['prefix']}*"):
        store.delete(key)


def register(browser, url, email):
    return browser.submit(f"{url}/register", {
        "company_name": "Scale Out Ltd", "sector": "J", "region": "TLI",
        "headcount_band": "10-49", "name": "Sam Scale", "email": email, "password": PASSWORD})


def test_a_session_started_on_one_instance_works_on_the_other(cluster):
    a, b = cluster["urls"]
    browser = Browser()
    assert register(browser, a, "sam@scale.example").status == 302
    response = browser.submit(f"{a}/sign-in", {"email": "sam@scale.example",
                                               "password": PASSWORD})
    assert response.status == 302
    on_b = browser.get(f"{b}/company")
    assert on_b.status == 200 and "Scale Out Ltd" in on_b.body
    # A form from instance B is accepted by instance A: the CSRF token lives in the session.
    response = browser.submit(f"{b}/account/email", {"email": "new@scale.example"},
                              post_url=f"{a}/account/email")
    assert response.status == 302


def test_the_login_rate_limit_counts_across_instances(cluster):
    a, b = cluster["urls"]
    forget_sign_ins(cluster)
    browser = Browser()
    statuses = []
    for attempt in range(12):
        url = a if attempt % 2 else b
        response = browser.submit(f"{url}/sign-in", {"email": "nobody@scale.example",
                                                     "password": "wrong password"})
        statuses.append(response.status)
    # 10 a minute in all: each instance alone saw only 6.
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]


def test_rate_limiting_keeps_working_without_redis(tmp_path):
    """If the shared store is down, limits fall back to memory and the site stays up."""
    if not postgres_available():
        pytest.skip("PostgreSQL is unreachable")
    with postgres_database() as database_url:
        upgrade_database(database_url)
        port = free_port()
        env = {**os.environ, "PORTAL_ENV": "testing", "DATABASE_URL": database_url,
               "SECRET_KEY": "x", "MAIL_URL": "file", "MAIL_DIR": str(tmp_path),
               "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}  # nobody there
        with (tmp_path / "server.log").open("w") as log:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
                 f"127.0.0.1:{port}", "portal:create_app()"], cwd=PROJECT_ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(process, url)
            browser = Browser()
            statuses = [browser.submit(f"{url}/sign-in", {"email": "x@example.com",
                                                          "password": "wrong password"}).status
                        for _ in range(11)]
            assert statuses[:10] == [200] * 10 and statuses[10] == 429
            time.sleep(0.1)
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_a_change_made_on_one_instance_shows_at_once_on_the_others_remembered_pages(cluster):
    """Each instance remembers public pages; the shared data version keeps them all current."""
    from portal import create_app
    from portal.db import get_session
    from tests.factories import PASSWORD as MEMBER_PASSWORD
    from tests.factories import create_company_with_admin, create_pledge

    a, b = cluster["urls"]
    app = create_app({"PORTAL_ENV": "testing", "DATABASE_URL": cluster["database_url"],
                      "SECRET_KEY": "shared-cluster-secret", "MAIL_URL": "file"})
    with app.app_context():
        db = get_session()
        organisation, admin = create_company_with_admin(db, "Remembered Ltd")
        create_pledge(db, organisation, admin)
        slug, email = organisation.slug, admin.email
    app.extensions["db_engine"].dispose()
    visitor = Browser()
    for _ in range(2):  # the second answer comes from instance B's memory
        profile = visitor.get(f"{b}/members/{slug}")
        assert profile.status == 200 and "Remembered Ltd" in profile.body
    member = Browser()
    forget_sign_ins(cluster)
    assert member.submit(f"{a}/sign-in", {"email": email,
                                          "password": MEMBER_PASSWORD}).status == 302
    saved = member.submit(f"{a}/company/profile", {
        "company_name": "Renamed On A Ltd", "sector": "M", "region": "TLI",
        "headcount_band": "50-249", "website": "https://www.example.com",
        "description": "Changed through instance A.", "is_listed": "y"})
    assert saved.status == 302
    profile = visitor.get(f"{b}/members/{slug}")
    assert "Renamed On A Ltd" in profile.body and "Changed through instance A." in profile.body
    assert "Renamed On A Ltd" in visitor.get(f"{b}/members").body
