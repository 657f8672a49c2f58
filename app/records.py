"""The statement record (issue 19, item 4): what readers were shown of each statement, when.

Kept by the write path: app/revisions.py calls `record_statement` with every statement revision
it appends, in the same transaction, so the record can never disagree with the log. Read by
app/positions.py for `?recorded=YYYY-MM-DD` (docs/design.md, "As the tracker showed it").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, insert, or_, update
from sqlalchemy.orm import Session

from app.dates import EARLIEST, DateOutOfRange, format_date, parse_iso_date
from app.models import Revision, StatementRecord
from app.models.statement_record import RECORDED_FIELDS

# How `recorded` is described wherever it is taken (pages, the API document).
RECORDED_HELP = (
    "Show positions as the tracker showed them at the end of this day (YYYY-MM-DD, UTC, "
    "up to today): later edits and entries undone, retractions made since still in place. "
    "With as_of, the positions as of as_of as recorded then; without it, as of this day."
)


def parse_recorded(raw: str | None, *, today: dt.date | None = None) -> dt.date | None:
    """`?recorded=`: None when absent or empty; else a day from EARLIEST to today. Raises
    InvalidDate (its message names the parameter) for anything else: the tracker recorded
    nothing before it existed, and a day not over yet has no end to be shown at."""
    if raw is None or not raw.strip():
        return None
    day = parse_iso_date(raw, field="recorded")
    today = today or dt.date.today()
    if not EARLIEST <= day <= today:
        raise DateOutOfRange(
            f"recorded must be a day from {EARLIEST.isoformat()} to today "
            f"({today.isoformat()}), not {raw!r}: the tracker cannot show what it has not "
            "recorded yet."
        )
    return day


def recorded_words(day: dt.date) -> str:
    """What a page says of its view: "As the tracker showed it at the end of 3 March 2026"."""
    return f"As the tracker showed it at the end of {format_date(day)}"


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant `day` ends: positions "as recorded on 3 March" are those in place at the
    first moment of 4 March, UTC (the server's day, as "today" is)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def valid_at(record: Any, moment: Any) -> ColumnElement[bool]:
    """The records (StatementRecord or an alias of it) in place at `moment` (a datetime or a
    bound parameter): begun before it and not ended by then. A write at exactly midnight
    belongs to the day it begins."""
    return and_(
        record.valid_from < moment,
        or_(record.valid_to.is_(None), record.valid_to >= moment),
    )


def record_values(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A statement revision's snapshot as a record's column values."""
    values = {name: snapshot.get(name) for name in RECORDED_FIELDS}
    values["stated_on"] = dt.date.fromisoformat(str(values["stated_on"]))
    values["partial"] = bool(values["partial"])
    values["conditional"] = bool(snapshot.get("conditions"))
    return values


def record_statement(
    session: Session,
    statement_id: int,
    revision: Revision,
    *,
    public: bool,
    corrected_at: dt.datetime | None = None,
    correction_note: str | None = None,
) -> None:
    """Close the statement's open record at the revision's time and, when the statement is
    public after it (published, not retracted), open the next with the revision's snapshot.

    `corrected_at`, `correction_note`: the statement's latest public correction as of this
    revision (the row's, not the snapshot's: plumbing, not content), so a record made before a
    correction shows no mark and one made by it or after shows that correction's.

    Every statement revision comes through here, drafts' too: a draft's revision finds no open
    record and opens none, so nothing a reader never saw is recorded."""
    session.execute(
        update(StatementRecord)
        .where(StatementRecord.id == statement_id, StatementRecord.valid_to.is_(None))
        .values(valid_to=revision.created_at)
        .execution_options(synchronize_session=False)
    )
    if public:
        # A Core-style insert: no ORM object to track (this runs for every statement revision).
        session.execute(
            insert(StatementRecord).values(
                id=statement_id,
                revision_id=revision.id,
                valid_from=revision.created_at,
                valid_to=None,
                corrected_at=corrected_at,
                correction_note=correction_note,
                **record_values(revision.snapshot),
            )
        )
