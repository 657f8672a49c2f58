"""Statements as CSV, streamed in constant memory however many there are.

The body is produced after the route has returned and its session is closed, so the generator
opens its own sessions, one short one per chunk, and reads with the same filters and order as
the JSON. A client controls how fast it reads, so nothing it does may hold the database: no
connection is held between chunks, a client that stops reading is cut off after a send timeout,
and only a few exports run at once per process (DESIGN.md, "Streams and bursts").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVarTuple

import anyio
from sqlalchemy import Row, Select, String, case, cast, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from starlette.responses import Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from app.dates import DatePrecision, iso_with_precision
from app.evidence import Evidence
from app.models import Demand, Negotiation, Party, Source, Statement, StatementCondition
from app.stances import STANCE_OF
from app.timeline.queries import TimelineFilters, filtered

# Rows per chunk, each one short transaction: large enough that a chunk's round trip and
# pool checkout are a small share of its cost, small enough to be quick to read.
BATCH = 5000
# On PostgreSQL a chunk is one COPY (a few milliseconds per thousand rows): a larger chunk keeps
# the per-chunk query planning small against it, and still a few MB in memory.
COPY_BATCH = 20000
log = logging.getLogger(__name__)
FILENAME = "parley-statements.csv"
COLUMNS = (
    "id",
    # Which talks the row belongs to (its demand's), first of what the row is about: demand
    # slugs are unique only within a negotiation. README.md lists the columns.
    "negotiation",
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
    # Issue 18, appended so that readers of the older columns by position keep working.
    # stance and stance_label are empty for an answer off the scale; off_scale says which.
    "off_scale",
    "partial",
    "scope_note",
    "conditional",
    "alternative_to",
    # evidence (issue 18 items 3-5): appended, so existing readers' column positions hold.
    "evidence",
    "evidence_outlet",
    "reported",
    "quote_language",
    "original_quote",
    "translated_by",
    "archive_url",
    # reactions (issue 17), appended likewise: the proposal version (and point) it answers, as
    # the ids /api/negotiations/{slug}/proposals/{proposal} gives them.
    "answers_version_id",
    "answers_point_id",
)
# A spreadsheet runs a cell starting with these as a formula (tab and CR too: some strip them
# first). Prefixing a quote makes it text; the value is still readable.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text cells are defused; numbers we write ourselves (a stance of -1) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# What a row is made of: one query over statements and the three small tables they name.
_SELECTED = (
    Statement.id,
    Negotiation.slug,
    Party.slug,
    Demand.slug,
    Statement.stance,
    Statement.stated_on,
    Statement.stated_on_precision,
    Statement.speaker,
    Statement.summary,
    Statement.quote,
    Source.id,
    Source.url,
    Source.title,
    Source.publisher,
    Statement.retracted_at,
    Statement.retraction_reason,
    Statement.off_scale,
    Statement.partial,
    Statement.scope_note,
    # "Only if": one correlated probe of ix_statement_condition_statement_id per row.
    exists().where(StatementCondition.statement_id == Statement.id),
    Statement.alternative_to_id,
    # evidence (issue 18 items 3-5)
    Statement.evidence,
    Statement.evidence_outlet,
    Statement.quote_language,
    Statement.original_quote,
    Statement.translated_by,
    Source.archive_url,
    # reactions (issue 17)
    Statement.answers_version_id,
    Statement.answers_point_id,
)


def csv_row(row: Row[*tuple[Any, ...]]) -> list[Any]:
    """One CSV row. Only text cells are neutralised: numbers, dates and http(s) URLs cannot start
    a formula, and calling it on every cell was a third of the export's time at a million rows."""
    (id_, negotiation, party, demand, stance, stated_on, precision, speaker, summary) = row[:9]
    (quote, source_id, source_url, title, publisher, retracted_at, retraction_reason) = row[9:16]
    (off_scale, partial, scope_note, conditional, alternative_to) = row[16:21]
    (evidence, outlet, language, original, translated_by, archive_url) = row[21:27]
    (answers_version_id, answers_point_id) = row[27:]
    return [
        id_,
        neutralise(negotiation),
        neutralise(party),
        neutralise(demand),
        "" if stance is None else stance,
        "" if stance is None else STANCE_OF[stance].label,
        iso_with_precision(stated_on, precision),
        stated_on.isoformat(),
        precision,
        neutralise(speaker or ""),
        neutralise(summary),
        neutralise(quote or ""),
        source_id,
        source_url,
        neutralise(title),
        neutralise(publisher),
        retracted_at.isoformat() if retracted_at else "",
        neutralise(retraction_reason or ""),
        f"/statements/{id_}",
        off_scale or "",
        "yes" if partial else "no",
        neutralise(scope_note or ""),
        "yes" if conditional else "no",
        alternative_to or "",
        evidence or "",
        neutralise(outlet or ""),
        "yes" if evidence and Evidence(evidence).reported else "no",
        language or "",
        neutralise(original or ""),
        neutralise(translated_by or ""),
        archive_url or "",
        answers_version_id or "",
        answers_point_id or "",
    ]


def statement_csv(
    sessions: Callable[[], Session],
    filters: TimelineFilters,
    batch: int | None = None,
    *,
    python_writer: bool = False,
) -> Iterator[bytes]:
    """The header, then up to `batch` rows per chunk, each chunk read in a short transaction of
    its own: no database connection is held while the client takes its time over the bytes.

    Chunks follow the export's order (stated_on DESC, id DESC) by keyset, each starting strictly
    after the last row of the one before, so each is one index range scan however deep
    (ix_statement_stated_all when retracted ones are included). What this gives, now that one
    transaction no longer spans the export: statements added during the export are left out
    (the highest id is fixed first), so none shifts or repeats another; every other statement
    appears exactly once, as it was when its chunk was read, except one whose date is edited
    meanwhile across the point the export has reached (missed or repeated), or one retracted
    before its chunk (left out unless retracted ones are asked for). Streaming one server-side
    cursor gave a perfect snapshot, but held a connection (and, on PostgreSQL, a transaction)
    for as long as the slowest client cared to take: issue 13.
    """
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
        newest = session.scalar(select(func.max(Statement.id)))
        # PostgreSQL writes the rows itself (COPY, issue 22) unless asked not to: the test that
        # holds the two paths to the same bytes runs both.
        copying = session.get_bind().dialect.name == "postgresql" and not python_writer
    if newest is None:
        return
    if copying:
        yield from _copied_csv(sessions, filters, newest, batch or COPY_BATCH)
        return
    batch = batch or BATCH
    query = _chunk_query(select(*_SELECTED), filters, newest, batch)

    def read(after: tuple[Any, int] | None) -> Sequence[Row[*tuple[Any, ...]]]:
        page = query
        if after is not None:
            page = query.where(
                tuple_(Statement.stated_on, Statement.id)
                < tuple_(literal(after[0]), literal(after[1]))
            )
        # The session (and its connection) goes back to the pool before the rows are used: the
        # generator may then wait on the client for as long as the send timeout allows.
        with sessions() as session:
            # Through the Connection: plain rows; the ORM's row handling cost 10%.
            return session.connection().execute(page).all()

    after: tuple[Any, int] | None = None
    while True:
        rows = read(after)
        if rows:
            writer.writerows(map(csv_row, rows))
            yield flush()
        if len(rows) < batch:
            return
        after = (rows[-1].stated_on, rows[-1].id)


# The columns of an export query: they come back as they went in.
Columns = TypeVarTuple("Columns")


def _chunk_query(
    columns: Select[*Columns], filters: TimelineFilters, newest: int, batch: int
) -> Select[*Columns]:
    """One chunk of the export, newest first, up to the highest id when it began: the same
    joins, filters and order for the Python writer and for COPY."""
    return filtered(
        columns.join(Negotiation, Negotiation.id == Statement.negotiation_id)
        .join(Party, Party.id == Statement.party_id)
        .join(Demand, Demand.id == Statement.demand_id)
        .join(Source, Source.id == Statement.source_id)
        .where(Statement.id <= newest)
        .order_by(Statement.stated_on.desc(), Statement.id.desc())
        .limit(batch),
        filters,
    )


def _text(value: Any) -> ColumnElement[Any]:
    """A cell as text, NULL when empty: COPY writes NULL as nothing but an empty string as "",
    where the Python writer writes nothing for both."""
    return func.nullif(cast(value, String), "")


def _neutralised(value: Any) -> ColumnElement[Any]:
    """`neutralise` in SQL: the same leading characters, the same apostrophe."""
    return _text(
        case(
            (func.substr(value, 1, 1).in_(FORMULA_STARTS), literal("'") + value),
            else_=value,
        )
    )


def _yes_no(condition: Any) -> ColumnElement[Any]:
    return case((condition, "yes"), else_="no")


def _isoformat_utc(value: Any) -> ColumnElement[Any]:
    """datetime.isoformat() of an aware UTC timestamp: microseconds only when there are any."""
    utc = func.timezone("UTC", value)
    microseconds = func.to_char(utc, "US")
    return _text(
        func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS')
        + case((microseconds != "000000", "." + microseconds), else_="")
        + "+00:00"
    )


def _copy_columns() -> tuple[ColumnElement[Any], ...]:
    """The cells of `csv_row`, worked out by PostgreSQL, column for column (COLUMNS' order)."""
    day = func.to_char(Statement.stated_on, "YYYY-MM-DD")
    return (
        _text(Statement.id),
        _neutralised(Negotiation.slug),
        _neutralised(Party.slug),
        _neutralised(Demand.slug),
        _text(Statement.stance),
        _text(case({s.value: s.label for s in STANCE_OF.values()}, value=Statement.stance)),
        _text(
            case(
                (
                    Statement.stated_on_precision == DatePrecision.YEAR.value,
                    func.to_char(Statement.stated_on, "YYYY"),
                ),
                (
                    Statement.stated_on_precision == DatePrecision.MONTH.value,
                    func.to_char(Statement.stated_on, "YYYY-MM"),
                ),
                else_=day,
            )
        ),
        _text(day),
        _text(Statement.stated_on_precision),
        _neutralised(Statement.speaker),
        _neutralised(Statement.summary),
        _neutralised(Statement.quote),
        _text(Source.id),
        _text(Source.url),
        _neutralised(Source.title),
        _neutralised(Source.publisher),
        _isoformat_utc(Statement.retracted_at),
        _neutralised(Statement.retraction_reason),
        _text(literal("/statements/") + cast(Statement.id, String)),
        _text(Statement.off_scale),
        _yes_no(Statement.partial),
        _neutralised(Statement.scope_note),
        _yes_no(exists().where(StatementCondition.statement_id == Statement.id)),
        _text(Statement.alternative_to_id),
        _text(Statement.evidence),
        _neutralised(Statement.evidence_outlet),
        _yes_no(Statement.evidence.in_([e.value for e in Evidence if e.reported])),
        _text(Statement.quote_language),
        _neutralised(Statement.original_quote),
        _neutralised(Statement.translated_by),
        _text(Source.archive_url),
        _text(Statement.answers_version_id),
        _text(Statement.answers_point_id),
    )


def _copied_csv(
    sessions: Callable[[], Session], filters: TimelineFilters, newest: int, batch: int
) -> Iterator[bytes]:
    """`statement_csv`'s rows on PostgreSQL: each chunk one `COPY (SELECT …) TO STDOUT`, the
    same chunks by keyset as the Python path, so the same rows in the same order, and the same
    bytes (tests/api/test_csv_copy.py compares them). The cells are formatted by the query;
    Python only turns COPY's line ends into the csv module's CRLF.

    Each chunk is read whole into memory and the connection goes back to the pool before the
    chunk is yielded, as in the Python path: a client that stops reading holds no connection.
    """
    query = _chunk_query(select(*_copy_columns()), filters, newest, batch)
    after: tuple[dt.date, int] | None = None
    while True:
        page = query
        if after is not None:
            page = query.where(
                tuple_(Statement.stated_on, Statement.id)
                < tuple_(literal(after[0]), literal(after[1]))
            )
        with sessions() as session:
            connection = session.connection()
            compiled = page.compile(
                dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
            )
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            # The planner prices a 20k-row chunk high enough to JIT-compile it (200 ms of a
            # 700 ms chunk at 1M statements) and to gather it from parallel workers, whose rows
            # the leader then formats alone; a keyset chunk is one index range scan, cheaper
            # without either. LOCAL: for this chunk's transaction only.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            # PostgreSQL sends each row of a COPY TO as one message ending in "\n" (its CSV
            # line end; embedded newlines are inside quotes), so the last byte of each is the
            # row's end.
            with cursor.copy(f"COPY ({compiled}) TO STDOUT (FORMAT csv)", compiled.params) as copy:
                rows = [bytes(data) for data in copy]
        if rows:
            yield b"\r\n".join([row[:-1] for row in rows]) + b"\r\n"
        if len(rows) < batch:
            return
        last = next(csv.reader(io.StringIO(rows[-1].decode(), newline="")))
        after = (dt.date.fromisoformat(last[7]), int(last[0]))


class ExportResponse(StreamingResponse):
    """A stream that takes one of the process's export slots while it runs, and gives up on a
    client that accepts no bytes for `send_timeout` seconds.

    The slot is taken and given back here, around the whole response, so that no path (a
    disconnect, a timeout, an error in the generator) can keep it; when none is free the
    `refusal` (a 429) is sent instead. Starlette already stops the stream when the client
    disconnects; a client that stays connected but stops reading is only noticed by the send
    that waits on it (the server's write buffer is full), hence the timeout.
    """

    def __init__(
        self,
        content: Iterator[bytes],
        *,
        slots: threading.Semaphore,
        refusal: Response,
        send_timeout: float,
        media_type: str,
        headers: dict[str, str],
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.slots = slots
        self.refusal = refusal
        self.send_timeout = send_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.slots.acquire(blocking=False):
            await self.refusal(scope, receive, send)
            return

        async def send_or_give_up(message: Message) -> None:
            with anyio.fail_after(self.send_timeout):
                await send(message)

        try:
            await super().__call__(scope, receive, send_or_give_up)
        except TimeoutError:
            # Returning with the response unfinished makes the server close the connection.
            log.info("export stopped: the client accepted nothing for %ss", self.send_timeout)
        finally:
            self.slots.release()


def export_slots(limit: int) -> threading.Semaphore:
    """The per-process cap on exports at once (a semaphore: exports run in worker threads)."""
    return threading.BoundedSemaphore(limit)
