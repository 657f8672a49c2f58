"""`/search?q=`: full-text search over summaries, quotes, speakers and sources."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import DbSession
from app.pages import render
from app.paging import InvalidPaging, parse_page
from app.search.queries import CANDIDATES, QUERY_MAX, InvalidSearch, clean_query, search

router = APIRouter()


@router.get("/search", name="search")
def search_page(
    request: Request, session: DbSession, q: str | None = None, page: str | None = None
) -> Response:
    context: dict[str, object] = {
        "form": {"q": q or ""},
        "error": None,
        "results": None,
        "QUERY_MAX": QUERY_MAX,
        "CANDIDATES": CANDIDATES,
    }
    if q is None:
        # Nothing asked yet: the search box alone.
        return render(request, "search/index.html", context, block="content")
    try:
        query = clean_query(q)
        number = parse_page(page)
        context["results"] = search(session, query, number)
    except (InvalidSearch, InvalidPaging) as problem:
        context["error"] = str(problem)
        return render(request, "search/index.html", context, block="content", status_code=400)
    return render(request, "search/index.html", context, block="content")
