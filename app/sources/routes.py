"""`/sources` (filter by publisher and kind) and `/sources/{id}` with the statements it backs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import DbSession
from app.exceptions import BadRequest, Choice, UnknownFilter, found
from app.ids import RecordId
from app.links import app_path
from app.models import SourceKind
from app.pages import render
from app.paging import InvalidPaging, parse_page
from app.sources.queries import publishers, source_by_id, source_page, statements_backed_by

router = APIRouter()


@router.get("/sources", name="sources")
def list_sources(
    request: Request,
    session: DbSession,
    publisher: str | None = None,
    kind: str | None = None,
    page: str | None = None,
) -> Response:
    known = publishers(session)
    form = {"publisher": publisher or "", "kind": kind or ""}
    context: dict[str, object] = {
        "publishers": known,
        "kinds": list(SourceKind),
        "form": form,
        "error": None,
        "page": None,
    }
    try:
        number = parse_page(page)
        if publisher and publisher not in known:
            raise UnknownFilter(f"No source is published by {publisher!r}.")
        if kind and kind not in {k.value for k in SourceKind}:
            raise UnknownFilter(f"{kind!r} is not a kind of source.")
    except (InvalidPaging, UnknownFilter) as problem:
        context["error"] = str(problem)
        return render(request, "sources/index.html", context, block="content", status_code=400)
    context["page"] = source_page(session, number, publisher=publisher or None, kind=kind or None)
    return render(request, "sources/index.html", context, block="content")


@router.get("/sources/{source_id}", name="source")
def show_source(
    request: Request, session: DbSession, source_id: RecordId, page: str | None = None
) -> Response:
    try:
        number = parse_page(page)
    except InvalidPaging as problem:
        raise BadRequest(str(problem)) from None
    source = found(
        source_by_id(session, source_id),
        f"There is no source number {source_id}.",
        index=Choice("Browse every source", app_path(request.app, "sources")),
    )
    statements = statements_backed_by(session, source, number)
    return render(request, "sources/show.html", {"source": source, "statements": statements})
