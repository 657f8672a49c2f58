"""`/corrections` and its Atom feed: every public correction of a published statement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.atom import FEED_SIZE, statement_feed, tag_id
from app.db import DbSession
from app.links import absolute_url
from app.pages import render
from app.paging import InvalidPaging, parse_cursor
from app.statements.queries import corrections_page, latest_corrections

router = APIRouter()


@router.get("/corrections", name="corrections")
def corrections(request: Request, session: DbSession, before: str | None = None) -> Response:
    try:
        cursor = parse_cursor(before)
    except InvalidPaging as problem:
        return render(
            request,
            "statements/corrections.html",
            {"page": None, "error": str(problem)},
            status_code=400,
        )
    return render(
        request,
        "statements/corrections.html",
        {"page": corrections_page(session, cursor[1] if cursor else None), "error": None},
    )


@router.get("/corrections.atom", name="corrections_feed")
def corrections_feed(request: Request, session: DbSession) -> Response:
    """One entry per corrected statement, built as every feed's (app/atom.py): the statement's
    own entry id, so a second correction updates that entry (a newer `updated`, the note in
    words), here and in every other feed that shows the statement."""
    settings = request.app.state.settings
    statements = [c.statement for c in latest_corrections(session, FEED_SIZE)]
    return statement_feed(
        session,
        statements,
        title=f"{settings.site_name}: corrections",
        feed_id=tag_id(settings.tag_authority, "corrections"),
        self_url=absolute_url(request, "corrections_feed"),
        html_url=absolute_url(request, "corrections"),
        site_name=settings.site_name,
        authority=settings.tag_authority,
        statement_url=lambda sid: absolute_url(request, "statement", statement_id=sid),
        # Across negotiations: each entry names its talks.
        negotiation_titles={s.negotiation_id: s.demand.negotiation.title for s in statements},
    )
