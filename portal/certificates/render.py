"""The certificate PDF: plain values in, PDF/A-3b bytes out (credential.json attached).

Rendered once on issue and stored; never re-rendered for an issued certificate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import warnings
from functools import cache

import segno
from flask import current_app

from portal.certificates import credentials
from portal.pdf import render_pdf

# One INFO line per rendering step drowns batch runs and worker logs; warnings still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
_local = threading.local()

TEMPLATE = "certificates/pdf/certificate.html"
TEMPLATE_FILES = ("templates/certificates/pdf/certificate.html",
                  "templates/certificates/pdf/certificate.css")


@cache
def template_version() -> str:
    """A digest of the template and its stylesheet: which design a stored PDF was made with."""
    from portal.config import PROJECT_ROOT

    digest = hashlib.sha256()
    for relative in TEMPLATE_FILES:
        digest.update((PROJECT_ROOT / relative).read_bytes())
    return f"certificate-{digest.hexdigest()[:12]}"


def weasyprint_version() -> str:
    import weasyprint

    return weasyprint.__version__


def qr_svg(url: str) -> str:
    """Inline SVG (no XML declaration) so WeasyPrint draws it as vectors, no fetch needed."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#0b0c0c")


def render_certificate(values: dict) -> tuple[bytes, str]:
    """(pdf bytes, compact JWS of the credential) for one certificate's values."""
    from weasyprint import Attachment

    token = credentials.sign(credentials.build_credential(values))
    attachment = Attachment(
        string=json.dumps(credentials.enveloped(token), indent=2),
        name="credential.json", relationship="Source",
        description="Signed Open Badges 3.0 credential (VC-JOSE, Ed25519)",
        base_url=None, url_fetcher=_no_fetch,
    )
    context = {**values, "qr_svg": qr_svg(values["verification_url"]),
               "association_name": current_app.config["ASSOCIATION_NAME"]}
    with warnings.catch_warnings():
        # WeasyPrint's PDF/A output intent opens sRGB2014.icc and never closes it; the
        # ResourceWarning at its finalisation is WeasyPrint's, not ours (filterwarnings=error).
        warnings.simplefilter("ignore", ResourceWarning)
        pdf = render_pdf(TEMPLATE, context, pdf_variant="pdf/a-3b", attachments=[attachment],
                         font_config=_font_config())
    return pdf, token


def _font_config():
    """One FontConfiguration per thread: it keeps the @font-face files it has loaded, so
    later renders skip fetching and registering DejaVu again (about a third of a render)."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"refused to fetch {url[:80]!r}")
