"""Fault scenarios, run in a child process: `python -m tests.security.fault_driver NAME ARGS…`.

A child process because each scenario builds its own app, and the rate limiter is a
process-wide object: pointing it at a Redis that is then killed must not leak into the other
tests. Prints one JSON object with what each request answered.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

from portal import create_app
from portal.cli import upgrade_database

UNAVAILABLE = "Sorry, the service is unavailable"


def _app(database_url: str, **overrides):
    config = {"PORTAL_ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": "fault",
              "MAIL_URL": "file", "RATELIMIT_STORAGE_URI": "memory://", **overrides}
    return create_app(config)


def _signed_in_client(app):
    from portal.auth.service import create_user
    from portal.db import get_session
    from portal.organisations.service import create_organisation

    with app.app_context():
        session = get_session()
        organisation = create_organisation(session, name="Fault Ltd", sector="M", region="TLI",
                                           headcount_band="10-49")
        user = create_user(session, email="fault@example.com", name="Fault Admin",
                           password="a long test password", organisation=organisation,
                           verified=True)
        session.commit()
        login_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = login_id
    return client


def _answer(response) -> dict:
    return {"status": response.status_code,
            "friendly": UNAVAILABLE in response.get_data(as_text=True)}


def db_restart(database_url: str, data_dir: str, port: str) -> dict:
    from tests.security.private_services import PrivatePostgres

    upgrade_database(database_url)
    app = _app(database_url)
    member, visitor = _signed_in_client(app), app.test_client()
    pages = [(visitor, "/healthz"), (visitor, "/members"), (member, "/company"),
             (member, "/account")]
    result = {"before": [_answer(c.get(u)) for c, u in pages]}
    traffic, stop = [], threading.Event()

    def background():
        client = app.test_client()  # its own client: test clients are not shared by threads
        while not stop.is_set():
            traffic.append(client.get("/healthz").status_code)
            time.sleep(0.05)  # steady traffic, not a busy loop

    thread = threading.Thread(target=background)
    thread.start()
    server = PrivatePostgres(Path(data_dir), int(port))
    try:
        server.stop()
        result["during"] = [_answer(c.get(u)) for c, u in pages]
        server.start()
        result["after"] = [_answer(c.get(u)) for c, u in pages]
    finally:
        stop.set()
        thread.join()
    result["traffic"] = sorted(set(traffic))
    return result


def redis_down(database_url: str, redis_port: str) -> dict:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logging.getLogger("flask-limiter").addHandler(Collect())
    upgrade_database(database_url)
    app = _app(database_url, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis_port}/0")
    client = app.test_client()
    result = {"before": [client.get("/sign-in").status_code]}
    subprocess.run(["redis-cli", "-p", redis_port, "shutdown", "nosave"],  # noqa: S603,S607
                   capture_output=True, check=False)
    time.sleep(0.5)  # let the server finish exiting before the next request
    result["pages"] = [client.get(url).status_code for url in ("/", "/sign-in", "/members")]
    token = _csrf(client)
    result["sign_in_posts"] = [
        client.post("/sign-in", data={"csrf_token": token, "email": "x@example.com",
                                      "password": "wrong password"}).status_code
        for _ in range(12)]
    result["logged"] = [m for m in records if "fall" in m.lower() or "unreachable" in m.lower()]
    return result


def _csrf(client) -> str:
    import re

    page = client.get("/sign-in").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


if __name__ == "__main__":
    scenario, *args = sys.argv[1:]
    output = {"db-restart": db_restart, "redis-down": redis_down}[scenario](*args)
    print("RESULT " + json.dumps(output))
