"""Certificate numbers PP-YYYY-NNNNNN-C with a Damm check digit over all ten digits.

Damm (not Luhn): it catches every single mistyped digit and every swap of two adjacent
digits, including a swap with the check digit itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The standard totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
MAX_SEQUENCE = 999_999


def damm_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = DAMM_TABLE[interim][int(char)]
    return interim


def is_damm_valid(digits_with_check: str) -> bool:
    return damm_digit(digits_with_check) == 0


def format_number(year: int, sequence: int) -> str:
    if not 1000 <= year <= 9999 or not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"no certificate number for year {year}, sequence {sequence}")
    digits = f"{year:04d}{sequence:06d}"
    return f"PP-{year:04d}-{sequence:06d}-{damm_digit(digits)}"


@dataclass(frozen=True)
class ParsedNumber:
    """What someone typed: canonical when it is well formed and its check digit holds."""

    canonical: str | None
    is_well_formed: bool
    has_valid_check_digit: bool


_TYPED = re.compile(r"^(?:PP)?(\d{11})$")


def parse_number(typed: str) -> ParsedNumber:
    """Accept 'pp 2026 000042 6', 'PP2026000042-6', '20260000426'; ignore spaces and dashes."""
    compact = re.sub(r"[\s\-‐-―_.]", "", typed or "").upper()
    match = _TYPED.match(compact)
    if not match:
        return ParsedNumber(None, False, False)
    digits = match.group(1)
    if not is_damm_valid(digits):
        return ParsedNumber(None, True, False)
    return ParsedNumber(f"PP-{digits[:4]}-{digits[4:10]}-{digits[10]}", True, True)
