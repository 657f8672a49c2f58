"""`/search?q=`: full-text search over summaries, quotes, speakers and sources, in every
negotiation or in one (`negotiation=`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import DbSession
from app.negotiations.queries import ordered_negotiations
from app.pages import render
from app.paging import InvalidPaging, parse_page
from app.search.queries import CANDIDATES, QUERY_MAX, InvalidSearch, clean_query, search

router = APIRouter()


@router.get("/search", name="search")
def search_page(
    request: Request,
    session: DbSession,
    q: str | None = None,
    page: str | None = None,
    negotiation: str | None = None,
) -> Response:
    negotiations = ordered_negotiations(session)
    context: dict[str, object] = {
        "form": {"q": q or "", "negotiation": negotiation or ""},
        "negotiations": negotiations,
        "error": None,
        "results": None,
        "QUERY_MAX": QUERY_MAX,
        "CANDIDATES": CANDIDATES,
    }
    chosen = next((n for n in negotiations if n.slug == negotiation), None)
    if negotiation and chosen is None:
        names = ", ".join(n.slug for n in negotiations)
        context["error"] = f"There is no negotiation {negotiation!r}: choose one of {names}."
        return render(request, "search/index.html", context, block="content", status_code=400)
    if q is None:
        # Nothing asked yet: the search box alone.
        return render(request, "search/index.html", context, block="content")
    try:
        query = clean_query(q)
        number = parse_page(page)
        context["results"] = search(
            session, query, number, negotiation_id=chosen.id if chosen else None
        )
    except (InvalidSearch, InvalidPaging) as problem:
        context["error"] = str(problem)
        return render(request, "search/index.html", context, block="content", status_code=400)
    context["chosen"] = chosen
    return render(request, "search/index.html", context, block="content")
