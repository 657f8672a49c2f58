"""Slugs made from titles: lower-case ASCII words joined by hyphens, unique in their table.

Why not a library: python-slugify leans on text-unidecode (Artistic/GPL) or Unidecode (GPL),
both generic tables that turn Ukrainian into Russian-style spellings ("Київ" -> "kiiv"). Titles
here are English, Ukrainian or Russian; the official Ukrainian romanisation (Cabinet of Ministers
resolution 55, 2010) and a plain Russian one fit in two small tables, and Latin accents come off
with the standard library's NFKD decomposition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

SLUG_MAX = 64
_SUFFIX_ROOM = 4  # "-999"

_COMMON = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "ж": "zh", "з": "z", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ъ": "", "'": "", "’": "",
    "ʼ": "",
}  # fmt: skip
# Ukrainian (KMU 2010): и is y, г is h; є ї й ю я are spelled differently at a word's start.
_UKRAINIAN = {
    **_COMMON,
    "г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "i", "й": "i", "є": "ie", "ю": "iu", "я": "ia",
}  # fmt: skip
_UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_RUSSIAN = {
    **_COMMON,
    "г": "g", "и": "i", "й": "y", "ё": "yo", "ы": "y", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_UKRAINIAN_ONLY = set("ґєії")
_WORD = re.compile(r"\w+")


def _transliterate(text: str) -> str:
    table = _UKRAINIAN if _UKRAINIAN_ONLY & set(text) else _RUSSIAN

    def word(match: re.Match[str]) -> str:
        letters = match.group(0)
        first = letters[0]
        head = _UKRAINIAN_INITIAL.get(first) if table is _UKRAINIAN else None
        rest = letters[1:] if head is not None else letters
        return (head or "") + "".join(table.get(c, c) for c in rest)

    return _WORD.sub(word, text)


def slugify(title: str, *, fallback: str = "item") -> str:
    """'Ukraine joins NATO' -> 'ukraine-joins-nato'; 'Нейтралітет' -> 'neitralitet'."""
    # Apostrophes join a word ("Crimea's", "м’ята"): dropped, not turned into a hyphen.
    text = _transliterate(re.sub(r"['’ʼ]", "", title.strip().casefold()))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > SLUG_MAX - _SUFFIX_ROOM:
        cut = slug[: SLUG_MAX - _SUFFIX_ROOM]
        # End at a word boundary where there is one.
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or fallback


def unique_slug(
    session: Session,
    model: Any,
    base: str,
    *,
    exclude_id: int | None = None,
    within: Sequence[Any] = (),
) -> str:
    """`base`, or `base-2`, `base-3`… : the first one no other row of `model` has (among the
    rows matching the conditions `within`, where slugs are unique only in a scope)."""
    like = session.scalars(
        select(model.slug).where(
            (model.slug == base) | model.slug.startswith(base + "-"),
            *([model.id != exclude_id] if exclude_id is not None else []),
            *within,
        )
    )
    taken = set(like)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
