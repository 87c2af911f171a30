"""The embeddable status badge: a small, self-contained SVG (no fonts or images fetched)."""

from __future__ import annotations

import hashlib

from markupsafe import escape

LEFT_TEXT = "People Pledge"
# Tag colours of templates/components/status.html, dark enough for white text (WCAG AA).
COLOURS = {"green": "#00703c", "blue": "#1d70b8", "purple": "#4c2c92", "yellow": "#594d00",
           "orange": "#a33d00", "red": "#b3261e", "grey": "#505a5f"}
LEFT_COLOUR = "#0b0c0c"
CHAR_WIDTH = 6.6  # average advance of an 11px sans-serif glyph; badges pad generously
PADDING = 8


def _width(text: str) -> int:
    return round(len(text) * CHAR_WIDTH + 2 * PADDING)


def badge_svg(label: str, colour: str) -> str:
    left, right = _width(LEFT_TEXT), _width(label)
    total = left + right
    fill = COLOURS.get(colour, COLOURS["grey"])
    text = escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{LEFT_TEXT}: {text}">'
        f"<title>{LEFT_TEXT}: {text}</title>"
        f'<rect width="{left}" height="20" fill="{LEFT_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/>'
        f'<g fill="#ffffff" font-family="Verdana,DejaVu Sans,Arial,sans-serif" '
        f'font-size="11" text-anchor="middle">'
        f'<text x="{left / 2:g}" y="14">{LEFT_TEXT}</text>'
        f'<text x="{left + right / 2:g}" y="14">{text}</text>'
        f"</g></svg>"
    )


def etag_for(svg: str) -> str:
    return hashlib.sha256(svg.encode()).hexdigest()[:32]
