"""`/api/statements…`: statements as JSON (keyset pages) and CSV (streamed), one by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import StreamingResponse

from app.api.csv_export import FILENAME, statement_csv
from app.api.params import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    RecordId,
    api_router,
    keyset,
    next_link,
    statement_filters,
)
from app.api.revisions import revision_list
from app.api.schemas import RevisionList, StatementList, StatementOut
from app.db import DbSession
from app.errors import NotFound
from app.statements.queries import statement_with_context
from app.timeline.queries import TimelineFilters, timeline_page

router = api_router("statements")


class StatementQuery:
    """The filters both the JSON and the CSV take, documented once."""

    def __init__(
        self,
        session: DbSession,
        party: Annotated[
            str | None, Query(description="A party's slug.", examples=["russia"])
        ] = None,
        demand: Annotated[
            str | None, Query(description="A demand's slug.", examples=["nato-renunciation"])
        ] = None,
        stance: Annotated[
            str | None,
            Query(description="A stance, by slug or value (-2 … 2).", examples=["red-line"]),
        ] = None,
        start: Annotated[
            str | None,
            Query(
                alias="from", description="Stated on or after, YYYY-MM-DD.", examples=["2024-01-01"]
            ),
        ] = None,
        end: Annotated[
            str | None,
            Query(
                alias="to", description="Stated on or before, YYYY-MM-DD.", examples=["2024-12-31"]
            ),
        ] = None,
        source: Annotated[str | None, Query(description="A source's id.", examples=["1"])] = None,
        include_retracted: Annotated[
            bool, Query(description="Also list retracted statements (they hold no position).")
        ] = False,
    ) -> None:
        self.filters: TimelineFilters = statement_filters(
            session,
            party=party,
            demand=demand,
            stance=stance,
            start=start,
            end=end,
            source=source,
            include_retracted=include_retracted,
        )


@router.get("/api/statements", name="api_statements")
def list_statements(
    request: Request,
    session: DbSession,
    query: Annotated[StatementQuery, Depends()],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> StatementList:
    """Statements newest first (by date stated, then id), filtered; follow `next` for more."""
    page = timeline_page(session, query.filters, keyset(cursor), size=limit)
    return StatementList(
        items=[StatementOut.of(statement) for statement in page.statements],
        next=next_link(request, page.next_cursor),
    )


@router.get(
    "/api/statements.csv",
    name="api_statements_csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a header row."}},
)
def statements_csv(
    request: Request, query: Annotated[StatementQuery, Depends()]
) -> StreamingResponse:
    """Every statement matching the filters as CSV, newest first, streamed.

    Text cells that a spreadsheet would run as a formula start with an apostrophe.
    """
    return StreamingResponse(
        statement_csv(request.app.state.sessionmaker, query.filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={FILENAME}"},
    )


@router.get("/api/statements/{statement_id}", name="api_statement")
def show_statement(session: DbSession, statement_id: RecordId) -> StatementOut:
    """One statement with its party, demand and source, retracted or not."""
    statement = statement_with_context(session, statement_id)
    if statement is None:
        raise NotFound(f"There is no statement number {statement_id}.")
    return StatementOut.of(statement)


@router.get("/api/statements/{statement_id}/revisions", name="api_statement_revisions")
def statement_revisions(
    request: Request,
    session: DbSession,
    statement_id: RecordId,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> RevisionList:
    """Every accepted change to the statement, newest first."""
    if statement_with_context(session, statement_id) is None:
        raise NotFound(f"There is no statement number {statement_id}.")
    return revision_list(request, session, "statement", statement_id, cursor, limit)
