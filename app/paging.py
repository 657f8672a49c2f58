"""Pages of a list: numbered pages for short lists, keyset cursors for the long ones.

Both fetch one row more than they show, to know whether there is a next page without counting
the whole table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.dates import InvalidDate, parse_iso_date
from app.field_types import shown, whole_number
from app.ids import MAX_ID

T = TypeVar("T")

# Deep offsets cost a scan of everything before them; past this, use the search or filters.
PAGE_MAX = 1000
# [0-9], not \d: \d matches every script's digits ("١"), which are not ours to read.
CURSOR = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})_([0-9]{1,10})")


class InvalidPaging(ValueError):
    """A page number or cursor that does not parse; the message says what was expected."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def parse_page(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return 1
    number = whole_number(raw, low=1, high=PAGE_MAX)
    if number is None:
        raise InvalidPaging(f"page must be a whole number from 1 to {PAGE_MAX}, not {shown(raw)}.")
    return number


def numbered_page(session: Session, query: Select[Any], number: int, size: int) -> Page[Any]:
    """Page `number` of `query` (which must be fully ordered), as ORM rows or entities."""
    rows = list(session.execute(query.limit(size + 1).offset((number - 1) * size)).unique())
    items = [row[0] if len(row) == 1 else row for row in rows[:size]]
    return Page(items=items, number=number, has_next=len(rows) > size)


def format_cursor(on: dt.date, record_id: int) -> str:
    """A keyset position: the (date, id) of the last row shown; the next page starts after it."""
    return f"{on.isoformat()}_{record_id}"


def parse_cursor(raw: str | None, *, field: str = "before") -> tuple[dt.date, int] | None:
    if raw is None or raw.strip() == "":
        return None
    match = CURSOR.fullmatch(raw.strip())
    problem = (
        f"{field} must be a position from a 'next page' link (like 2025-01-31_42), "
        f"not {shown(raw)}."
    )
    if not match:
        raise InvalidPaging(problem)
    try:
        on = parse_iso_date(match[1], field=field)
    except InvalidDate:
        raise InvalidPaging(problem) from None
    record_id = int(match[2])
    if not 1 <= record_id <= MAX_ID:
        raise InvalidPaging(problem)
    return on, record_id
