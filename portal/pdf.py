"""render_pdf: WeasyPrint with a url_fetcher that only serves our own static files.

No network, no file:// outside static/: a company name like <img src=http://…> can never make
the server fetch anything.
"""

from __future__ import annotations

import logging
import mimetypes
from functools import cache
from pathlib import Path

from flask import render_template

from portal.config import PROJECT_ROOT

log = logging.getLogger(__name__)
STATIC_ROOT = (PROJECT_ROOT / "static").resolve()
STATIC_PREFIX = "portal-static:/"


class FetchRefused(ValueError):
    pass


def restricted_url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    """Serve portal-static:/… from static/; refuse every other URL."""
    if not url.startswith(STATIC_PREFIX):
        raise FetchRefused(f"refused to fetch {url[:80]!r}")
    path = (STATIC_ROOT / url[len(STATIC_PREFIX):].lstrip("/")).resolve()
    if STATIC_ROOT not in path.parents or not path.is_file():
        raise FetchRefused(f"refused to fetch {url[:80]!r}")
    mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        from weasyprint.urls import URLFetcherResponse
    except ImportError:  # WeasyPrint < 68 takes a dict
        return {"string": path.read_bytes(), "mime_type": mime_type, "redirected_url": url}
    # WeasyPrint >= 68 asserts on a dict and then silently drops fonts and images.
    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


# WeasyPrint >= 68 reads this when a fetch raises: warn and go on, do not abort the render.
restricted_url_fetcher._fail_on_errors = False


@cache
def harfbuzz_subset_available() -> bool:
    """WeasyPrint subsets fonts ~6x faster with libharfbuzz-subset (Debian libharfbuzz-subset0)."""
    import ctypes.util

    return ctypes.util.find_library("harfbuzz-subset") is not None


def render_pdf(template: str, context: dict, **options) -> bytes:
    """Render templates/<template> (plain values only, never ORM objects) to PDF bytes."""
    from weasyprint import HTML

    html = render_template(template, static_base=STATIC_PREFIX, **context)
    document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=restricted_url_fetcher)
    return document.write_pdf(**options)


def warn_if_slow_fonts() -> None:
    if not harfbuzz_subset_available():
        log.warning("libharfbuzz-subset0 is not installed: PDF rendering will be about 6x "
                    "slower (apt-get install libharfbuzz-subset0)")


def static_path(relative: str) -> Path:
    return STATIC_ROOT / relative
