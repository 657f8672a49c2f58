"""Field types shared by every input model (forms, API, demo loader): trimmed, bounded, clean.

Pydantic does the checking; these say once what "a summary" or "a source URL" may contain so
that every way in refuses the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _clean_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (such as NUL bytes)")
    if "\ufffd" in value:
        # What a form parser leaves where the bytes sent were not valid UTF-8.
        raise ValueError("contains characters that could not be read (the text was not UTF-8)")
    return value.replace("\r\n", "\n").strip()


def _empty_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _http_url(value: str) -> str:
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
        raise ValueError("must be a web address starting with http:// or https://")
    if any(c.isspace() for c in value):
        raise ValueError("must not contain spaces")
    return f"{scheme.lower()}://{rest}"


def text(max_length: int, *, min_length: int = 1) -> object:
    """A required, trimmed text of at most `max_length` characters."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        BeforeValidator(_clean_text),
    ]


def optional_text(max_length: int) -> object:
    """Trimmed text that may be left empty (stored as NULL)."""
    bounded = Annotated[str, StringConstraints(max_length=max_length), BeforeValidator(_clean_text)]
    return Annotated[bounded | None, BeforeValidator(_empty_to_none)]


Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=SLUG_PATTERN),
    BeforeValidator(_clean_text),
]

HttpUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000),
    BeforeValidator(_clean_text),
    AfterValidator(_http_url),
]

# Strict: lax mode would take 0 or 1700000000 as a date.
StrictDate = Annotated[dt.date, Field(strict=True)]
