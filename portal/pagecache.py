"""Public pages, remembered by each worker until the data behind them or the date changes.

A directory link in a newsletter brings thousands of visitors who all see the same page. Working
out every company's status for each of them costs tens of milliseconds; replaying the answer
costs one primary-key read. The key is (the page's URL, the public data version, today's date):
the version moves in the same transaction as any public change (portal.freshness), and every
status is a function of the data and the date, so a remembered page is never stale.

Only visitors who are not signed in share pages, and only pages that left the session empty
and set no cookie are remembered: nothing personal (a name in the header, a flash message, a
form's CSRF token) can be handed to somebody else. Signed-in people get the page worked out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps
from threading import Lock

from flask import Response, current_app, request, session

from portal import clock, freshness

_SKIPPED_HEADERS = {"set-cookie", "content-length", "date"}


@dataclass(frozen=True)
class Remembered:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageStore:
    """A least-recently-used store bounded in bytes (each worker holds its own)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple, Remembered] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def get(self, key: tuple) -> Remembered | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: Remembered) -> None:
        if len(page.body) > self.max_bytes // 8:
            return  # one huge page must not push out everything else
        with self._lock:
            old = self._pages.pop(key, None)
            self._bytes += len(page.body) - (len(old.body) if old else 0)
            self._pages[key] = page
            while self._bytes > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)


store = PageStore(32 * 1024 * 1024)
freshness.keyed_on_version(store.clear)


def remembered(view):
    """Decorate a public GET view whose answer depends only on its URL, the data and the date."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return serve(lambda: view(*args, **kwargs))

    return wrapper


def serve(render) -> Response:
    """The remembered answer to this request, or render() (remembered when it may be shared).
    For views that must do something on every visit before answering (count it, say)."""
    if not _shareable_request():
        return current_app.make_response(render())
    key = _key()
    page = store.get(key)
    if page is not None:
        return _replay(page)
    response = current_app.make_response(render())
    if _shareable_response(response):
        store.put(key, Remembered(response.status_code, tuple(
            (name, value) for name, value in response.headers.items()
            if name.lower() not in _SKIPPED_HEADERS), response.get_data()))
    return response


def _shareable_request() -> bool:
    if not current_app.config["PAGE_CACHE"] or request.method not in ("GET", "HEAD"):
        return False
    # A remember-me cookie signs its holder in on this request: not an anonymous visitor.
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return ("_user_id" not in session and "_flashes" not in session
            and remember_cookie not in request.cookies)


def _shareable_response(response: Response) -> bool:
    return (response.status_code in (200, 410) and not session
            and not response.direct_passthrough and not response.is_streamed
            and "Set-Cookie" not in response.headers
            and "no-store" not in response.headers.get("Cache-Control", ""))


def _key() -> tuple:
    return (current_app.config["DATABASE_URL"], freshness.committed(), clock.today(),
            request.host_url, request.full_path, request.headers.get("Accept", ""))


def _replay(page: Remembered) -> Response:
    response = Response(page.body, page.status, list(page.headers))
    return response.make_conditional(request)
