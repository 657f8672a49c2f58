"""Statements as CSV, streamed in constant memory however many there are.

The body is produced after the route has returned and its session is closed, so the generator
opens its own session and walks the same keyset pages as the JSON, a batch at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from app.dates import iso_with_precision
from app.models import Statement
from app.stances import Stance
from app.timeline.queries import TimelineFilters, timeline_page

BATCH = 500
FILENAME = "parley-statements.csv"
COLUMNS = (
    "id",
    "party",
    "demand",
    "stance",
    "stance_label",
    "stated",
    "stated_on",
    "precision",
    "speaker",
    "summary",
    "quote",
    "source_id",
    "source_url",
    "source_title",
    "publisher",
    "retracted_at",
    "retraction_reason",
    "url",
)
# A spreadsheet runs a cell starting with these as a formula (tab and CR too: some strip them
# first). Prefixing a quote makes it text; the value is still readable.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text cells are defused; numbers we write ourselves (a stance of -1) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(statement: Statement) -> list[Any]:
    return [
        statement.id,
        statement.party.slug,
        statement.demand.slug,
        statement.stance,
        Stance(statement.stance).label,
        iso_with_precision(statement.stated_on, statement.stated_on_precision),
        statement.stated_on.isoformat(),
        statement.stated_on_precision,
        statement.speaker or "",
        statement.summary,
        statement.quote or "",
        statement.source.id,
        statement.source.url,
        statement.source.title,
        statement.source.publisher,
        statement.retracted_at.isoformat() if statement.retracted_at else "",
        statement.retraction_reason or "",
        f"/statements/{statement.id}",
    ]


def statement_csv(
    sessions: Callable[[], Session], filters: TimelineFilters, batch: int = BATCH
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        chunk = buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    writer.writerow(COLUMNS)
    yield flush()
    with sessions() as session:
        before = None
        while True:
            page = timeline_page(session, filters, before, size=batch)
            for statement in page.statements:
                writer.writerow([neutralise(cell) for cell in csv_row(statement)])
            yield flush()
            if page.next_cursor is None:
                return
            last = page.statements[-1]
            before = (last.stated_on, last.id)
            # Loaded rows would pile up in the identity map: forget each batch once written.
            session.expunge_all()
