"""Small text helpers shared by search, slugs and forms."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_TRANSLITERATE = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th",
                                "ð": "d", "ı": "i"})


def fold(text: str) -> str:
    """Lower case without accents: what directory search compares ("Müller" → "muller")."""
    lowered = (text or "").casefold().translate(_TRANSLITERATE)
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def slugify(text: str, max_length: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].strip("-") or "company"


def parse_number(text: str) -> str:
    """Accept '1,250' and '1 250' as people write them."""
    return re.sub(r"[\s,_]", "", text or "")
