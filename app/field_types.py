"""Field types shared by every input model (forms, API, demo loader): trimmed, bounded, clean.

Pydantic does the checking; these say once what "a summary" or "a source URL" may contain so
that every way in refuses the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from app.dates import stored_date_range
from app.models.demand import TITLE_MAX as DEMAND_TITLE_MAX
from app.models.negotiation import DESCRIPTION_MAX as NEGOTIATION_DESCRIPTION_MAX
from app.models.negotiation import TITLE_MAX as NEGOTIATION_TITLE_MAX
from app.models.party import DESCRIPTION_MAX, NAME_MAX, SHORT_NAME_MAX
from app.models.source import PUBLISHER_MAX
from app.models.source import TITLE_MAX as SOURCE_TITLE_MAX
from app.models.statement import QUOTE_MAX, REASON_MAX, SCOPE_NOTE_MAX, SPEAKER_MAX, SUMMARY_MAX
from app.models.statement_condition import CONDITION_NOTE_MAX
from app.models.user import DISPLAY_NAME_MAX, EMAIL_MAX

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A single line (a name, a title, a slug) may hold no control character at all, not even a line
# break or a tab, and none of the invisible bidi controls (U+202A-U+202E embeddings/overrides,
# U+2066-U+2069 isolates) that reorder what a reader sees: "‮gnp.exe" shows as "exe.png".
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def has_control_characters(text: str) -> bool:
    """NUL and the other C0 controls but tab and line breaks: never text anyone meant to send.

    PostgreSQL cannot even hold NUL in a text value, so one that reached a query was a 500."""
    return _CONTROL.search(text) is not None


def _clean_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    if has_control_characters(value):
        raise ValueError("must not contain control characters (such as NUL bytes)")
    if "\ufffd" in value:
        # What a form parser leaves where the bytes sent were not valid UTF-8.
        raise ValueError("contains characters that could not be read (the text was not UTF-8)")
    return value.replace("\r\n", "\n").strip()


def _clean_line(value: object) -> object:
    if isinstance(value, str) and _LINE_CONTROL.search(value.strip()):
        raise ValueError(
            "must be a single line of plain text: no line breaks, tabs, control characters or "
            "invisible direction marks (such as U+202E)"
        )
    return _clean_text(value)


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


# The first step of every text field: trimmed, line endings unified, no control characters.
CLEAN = BeforeValidator(_clean_text)
# An optional field left empty is stored as NULL.
EMPTY_IS_NONE = BeforeValidator(_empty_to_none)
# Instead of CLEAN for a single line (a name, a title, a slug): no line breaks, tabs or bidi
# controls either.
LINE = BeforeValidator(_clean_line)


def _required(max_length: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length)


def _at_most(max_length: int) -> StringConstraints:
    return StringConstraints(max_length=max_length)


# Named field types, each bounded by its column: a required text, or an optional one (None when
# left empty).
EmailAddress = Annotated[str, _required(EMAIL_MAX), LINE]
DisplayName = Annotated[str, _required(DISPLAY_NAME_MAX), LINE]
PartyName = Annotated[str, _required(NAME_MAX), LINE]
ShortName = Annotated[str, _required(SHORT_NAME_MAX), LINE]
Description = Annotated[Annotated[str, _at_most(DESCRIPTION_MAX), CLEAN] | None, EMPTY_IS_NONE]
DemandTitle = Annotated[str, _required(DEMAND_TITLE_MAX), LINE]
NegotiationTitle = Annotated[str, _required(NEGOTIATION_TITLE_MAX), LINE]
NegotiationDescription = Annotated[
    Annotated[str, _at_most(NEGOTIATION_DESCRIPTION_MAX), CLEAN] | None, EMPTY_IS_NONE
]
SourceTitle = Annotated[str, _required(SOURCE_TITLE_MAX), LINE]
Publisher = Annotated[str, _required(PUBLISHER_MAX), LINE]
Speaker = Annotated[Annotated[str, _at_most(SPEAKER_MAX), LINE] | None, EMPTY_IS_NONE]
Summary = Annotated[str, _required(SUMMARY_MAX), CLEAN]
Quote = Annotated[Annotated[str, _at_most(QUOTE_MAX), CLEAN] | None, EMPTY_IS_NONE]
RetractionReason = Annotated[str, _required(REASON_MAX), CLEAN]
# Issue 18: where a partial stance holds, and the words of an "only if".
ScopeNote = Annotated[Annotated[str, _at_most(SCOPE_NOTE_MAX), LINE] | None, EMPTY_IS_NONE]
ConditionNote = Annotated[Annotated[str, _at_most(CONDITION_NOTE_MAX), LINE] | None, EMPTY_IS_NONE]
# --- evidence (issue 18 items 3-4) ---
Outlet = Annotated[Annotated[str, _at_most(200), LINE] | None, EMPTY_IS_NONE]
LanguageTag = Annotated[Annotated[str, _at_most(35), LINE] | None, EMPTY_IS_NONE]
Translator = Annotated[Annotated[str, _at_most(200), LINE] | None, EMPTY_IS_NONE]

Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=SLUG_PATTERN),
    LINE,
]

HttpUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000),
    CLEAN,
    AfterValidator(_http_url),
]

# Issue 18: a source's archived copy, optional (None when left empty).
OptionalHttpUrl = Annotated[
    Annotated[str, StringConstraints(max_length=2000), CLEAN, AfterValidator(_http_url)] | None,
    EMPTY_IS_NONE,
]

# Strict: lax mode would take 0 or 1700000000 as a date.
StrictDate = Annotated[dt.date, Field(strict=True)]


def _within_stored_range(value: dt.date) -> dt.date:
    earliest, latest = stored_date_range()
    if not earliest <= value <= latest:
        raise ValueError(
            f"must be between {earliest.isoformat()} and {latest.isoformat()} (a year from today)"
        )
    return value


# A date kept in the database (a statement's, a source's): the range on the about page. Every
# way in (forms, demo loader, imports through the services) refuses the same dates.
StoredDate = Annotated[dt.date, AfterValidator(_within_stored_range)]

# Whole numbers as people and links write them: ASCII digits only ("١" is not 1 here) and never
# so long that reading them costs anything (Python refuses over 4,300 digits with an error).
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


def whole_number(raw: str | None, *, low: int, high: int) -> int | None:
    """`raw` as an int from `low` to `high`, or None when it is not one (the caller says why).

    A minus sign is read only where the range goes below zero (a stance, a display order)."""
    text = (raw or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text) or (text.startswith("-") and low >= 0):
        return None
    number = int(text)
    return number if low <= number <= high else None


def shown(raw: str, limit: int = 40) -> str:
    """What a person sent, quoted in a message, cut short: a 5,000-digit number is not echoed."""
    return repr(raw if len(raw) <= limit else raw[:limit] + "…")
