"""`/api/statements…`: statements as JSON (keyset pages) and CSV (streamed), one by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response, StreamingResponse

from app.api.csv_export import FILENAME, ExportResponse, statement_csv
from app.api.params import (
    DATE_RANGE,
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    RecordId,
    api_router,
    keyset,
    next_link,
    statement_filters,
)
from app.api.problems import problem
from app.api.revisions import revision_list
from app.api.schemas import (
    CreditCorrection,
    CreditOut,
    RevisionList,
    StatementList,
    StatementOut,
)
from app.db import DbSession
from app.exceptions import found
from app.links import Links
from app.positions import conditions_of
from app.statements.queries import statement_credit, statement_with_context, visible_statement
from app.timeline.queries import TimelineFilters, timeline_page

router = api_router("statements")

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# Seconds a refused export is told to wait: exports of the whole table take a few seconds.
EXPORT_RETRY_AFTER = 5


class StatementQuery:
    """The filters both the JSON and the CSV take, documented once."""

    def __init__(
        self,
        session: DbSession,
        negotiation: Annotated[
            str | None,
            Query(
                description="A negotiation's slug: only statements on its demands.",
                examples=["russia-ukraine"],
            ),
        ] = None,
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
                alias="from",
                description="Stated on or after, YYYY-MM-DD. " + DATE_RANGE,
                examples=["2024-01-01"],
            ),
        ] = None,
        end: Annotated[
            str | None,
            Query(
                alias="to",
                description="Stated on or before, YYYY-MM-DD. " + DATE_RANGE,
                examples=["2024-12-31"],
            ),
        ] = None,
        source: Annotated[str | None, Query(description="A source's id.", examples=["1"])] = None,
        include_retracted: Annotated[
            bool, Query(description="Also list retracted statements (they hold no position).")
        ] = False,
    ) -> None:
        self.filters: TimelineFilters = statement_filters(
            session,
            negotiation=negotiation,
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
    link: Links,
    query: Annotated[StatementQuery, Depends()],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> StatementList:
    """Statements newest first (by date stated, then id), filtered; follow `next` for more."""
    page = timeline_page(session, query.filters, keyset(cursor), size=limit)
    # The page's conditions in one query (issue 18), never one per statement.
    conditions = conditions_of(session, [statement.id for statement in page.statements])
    return StatementList(
        items=[
            StatementOut.of(statement, link, conditions.get(statement.id, []))
            for statement in page.statements
        ],
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

    Text cells that a spreadsheet would run as a formula start with an apostrophe. A few exports
    run at once per server; beyond that the answer is 429 with `Retry-After`.
    """
    settings = request.app.state.settings
    return ExportResponse(
        statement_csv(request.app.state.sessionmaker, query.filters),
        slots=request.app.state.export_slots,
        refusal=problem(
            request,
            429,
            "Too many exports are running at the moment. Try again in a few seconds.",
            headers={"Retry-After": str(EXPORT_RETRY_AFTER)},
        ),
        send_timeout=settings.export_send_timeout,
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename={FILENAME}"},
    )


@router.head("/api/statements.csv", include_in_schema=False)
def statements_csv_head(query: Annotated[StatementQuery, Depends()]) -> Response:
    """The export's headers without its body: whether it exists and its ETag, for free.

    FastAPI routes answer HEAD with 405 unless asked; streaming the whole export only to drop
    it would cost a full read of the table. `query` is taken so bad filters get the GET's 400.
    """
    response = Response(
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename={FILENAME}"},
    )
    # The GET streams without a length; an empty body's 0 would misstate it.
    del response.headers["content-length"]
    return response


@router.get("/api/statements/{statement_id}", name="api_statement")
def show_statement(session: DbSession, statement_id: RecordId, link: Links) -> StatementOut:
    """One statement with its party, demand and source, retracted or not."""
    statement = found(
        # The API is the readers': a draft is not there (issue 19).
        visible_statement(statement_with_context(session, statement_id), None),
        f"There is no statement number {statement_id}.",
    )
    credit = statement_credit(session, statement)
    assert credit.published_at is not None  # a draft was refused above
    return StatementOut.of(
        statement,
        link,
        conditions_of(session, [statement.id]).get(statement.id, []),
        credit=CreditOut(
            entered_by=credit.entered_by,
            entered_at=credit.entered_at,
            reviewed_by=credit.published_by,
            published_at=credit.published_at,
            corrections=[
                CreditCorrection(
                    at=c.created_at, note=c.note, by=c.user.display_name, fields=c.field_names
                )
                for c in credit.corrections
            ],
        ),
    )


@router.get("/api/statements/{statement_id}/revisions", name="api_statement_revisions")
def statement_revisions(
    request: Request,
    session: DbSession,
    statement_id: RecordId,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> RevisionList:
    """Every accepted change to the statement, newest first."""
    found(
        # The API is the readers': a draft is not there (issue 19).
        visible_statement(statement_with_context(session, statement_id), None),
        f"There is no statement number {statement_id}.",
    )
    return revision_list(request, session, "statement", statement_id, cursor, limit)
