"""Dates with a precision: sources often say only "in June" or "in 2022".

The rule, shown to readers on the about page: a date known to the month or the year is stored as
the first day of that period together with its precision; it is shown only to the precision known
("June 2024", never "1 June 2024"); positions are ordered and computed by the stored date.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import lru_cache


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


def period_start(value: dt.date, precision: DatePrecision) -> dt.date:
    """The stored form of a date known only to `precision`."""
    if precision is DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision is DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def is_period_start(value: dt.date, precision: DatePrecision) -> bool:
    return period_start(value, precision) == value


# Cached: a big matrix formats the same few hundred dates for every cell it renders.
@lru_cache(maxsize=4096)
def format_date(value: dt.date, precision: DatePrecision | str = DatePrecision.DAY) -> str:
    """Show only what is known: '3 June 2024', 'June 2024' or '2024'."""
    precision = DatePrecision(precision)
    if precision is DatePrecision.YEAR:
        return f"{value.year}"
    if precision is DatePrecision.MONTH:
        return f"{value:%B} {value.year}"
    return f"{value.day} {value:%B} {value.year}"


def format_date_short(value: dt.date, precision: DatePrecision | str = DatePrecision.DAY) -> str:
    """The same, with the month abbreviated, where space is scarce (a matrix cell): '3 Jun 2024',
    'Jun 2024' or '2024'."""
    precision = DatePrecision(precision)
    if precision is DatePrecision.YEAR:
        return f"{value.year}"
    if precision is DatePrecision.MONTH:
        return f"{value:%b} {value.year}"
    return f"{value.day} {value:%b} {value.year}"


@lru_cache(maxsize=4096)
def iso_with_precision(value: dt.date, precision: DatePrecision | str) -> str:
    """ISO 8601 truncated to the precision known: '2024-06-03', '2024-06' or '2024'."""
    precision = DatePrecision(precision)
    if precision is DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision is DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


# The dates the site works with, shown on the about page and in the API docs. Stored dates (when a
# statement was made, when a source was published) are from EARLIEST to a year from today: older
# ones are typing mistakes, and a "year 1" would stretch every chart over two millennia. Dates in
# queries (as_of, since, from, to) may be any day from EARLIEST to LATEST_QUERY: a future day is
# a fair question ("where do they stand, as far as we know?").
EARLIEST = dt.date(1900, 1, 1)
LATEST_QUERY = dt.date(9999, 12, 31)
STORED_AHEAD_DAYS = 365


def stored_date_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or dt.date.today()
    return EARLIEST, today + dt.timedelta(days=STORED_AHEAD_DAYS)


class InvalidDate(ValueError):
    """A query or form date that is not a real calendar date in YYYY-MM-DD form."""


class DateOutOfRange(InvalidDate):
    """A real date, outside the range the site works with (EARLIEST to LATEST_QUERY)."""


def parse_iso_date(raw: str, *, field: str | None) -> dt.date:
    """Parse a strict YYYY-MM-DD date, with a message a reader can act on.

    `field` names the parameter in the message (an API caller or a URL needs it); a form passes
    None because it shows the message beside the field's own label.
    """
    text = raw.strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        shown = repr(raw if len(raw) <= 40 else raw[:40] + "…")
        if field is None:
            raise InvalidDate(f"Write the date as YYYY-MM-DD, not {shown}.")
        raise InvalidDate(f"{field} must be a date in the form YYYY-MM-DD, not {shown}.")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        prefix = f"{field}: " if field else ""
        raise InvalidDate(f"{prefix}{raw!r} is not a real calendar date.") from None
    if not EARLIEST <= day <= LATEST_QUERY:
        raise DateOutOfRange(
            f"{field or 'It'} must be a day from {EARLIEST.isoformat()} to "
            f"{LATEST_QUERY.isoformat()}, not {raw!r}."
        )
    return day


def date_or_today(raw: str | None, *, field: str = "as_of") -> dt.date:
    """A page's `as_of`: empty or absent means today, anything else must be a real date."""
    return parse_iso_date(raw, field=field) if raw and raw.strip() else dt.date.today()


_SHAPES = {4: DatePrecision.YEAR, 7: DatePrecision.MONTH, 10: DatePrecision.DAY}
_EXAMPLES = {
    DatePrecision.YEAR: "2024",
    DatePrecision.MONTH: "2024-06",
    DatePrecision.DAY: "2024-06-03",
}


def precision_typed(raw: str) -> DatePrecision | None:
    """How much of a date a person typed: '2024' a year, '2024-06' a month, '2024-06-03' a day."""
    text = raw.strip()
    shape = _SHAPES.get(len(text))
    if shape is None or not (text[:4].isascii() and text[:4].isdecimal()):
        return None
    return shape


def parse_date_at(raw: str, precision: DatePrecision) -> dt.date:
    """A date typed to `precision` ('2024-06' for a month), stored as the first day of the period.

    Refuses a date that says more or less than its precision, in words that say what to type.
    The messages do not name the field: forms show them beside its label.
    """
    text = raw.strip()
    typed = precision_typed(text)
    if typed is None:
        raise InvalidDate(
            f"Write the date as YYYY-MM-DD, YYYY-MM or YYYY (for example "
            f"{_EXAMPLES[precision]}), not {raw!r}."
        )
    if typed is not precision:
        if typed is DatePrecision.DAY:
            raise InvalidDate(
                f"A date known only to the {precision.value} cannot name a day. "
                f"Write the {precision.value} alone, for example {_EXAMPLES[precision]}."
            )
        raise InvalidDate(
            f"{raw!r} gives a {typed.value} but the precision is {precision.value}. "
            f"Write it like {_EXAMPLES[precision]}."
        )
    padded = {4: "-01-01", 7: "-01", 10: ""}[len(text)]
    try:
        return parse_iso_date(text + padded, field=None)
    except DateOutOfRange:
        raise
    except InvalidDate:
        raise InvalidDate(f"{raw!r} is not a real calendar date.") from None


def parse_typed_date(raw: str) -> tuple[dt.date, DatePrecision]:
    """A date as a person types it in a form; how much they wrote is its precision.

    '2024' is the year 2024, '2024-06' June 2024, '2024-06-03' that day: one field says it all,
    so no form needs a precision menu that could contradict what was typed.
    """
    precision = precision_typed(raw)
    if precision is None:
        raise InvalidDate(
            f"Write the date as YYYY-MM-DD, YYYY-MM or YYYY (for example 2024-06-03, 2024-06 "
            f"or 2024), not {raw!r}."
        )
    return parse_date_at(raw, precision), precision


def typed_form(value: dt.date | None, precision: DatePrecision | str | None) -> str:
    """The inverse of parse_date_at, to fill a form: '2024-06' for June 2024."""
    if value is None:
        return ""
    return iso_with_precision(value, precision or DatePrecision.DAY)


def time_ago(when: dt.datetime, now: dt.datetime) -> str:
    """'just now', '2 minutes ago', '3 hours ago', '4 days ago', then the date itself."""
    seconds = max(0, int((now - when).total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            if unit == "day" and count > 30:
                return f"on {format_date(when.date())}"
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"
