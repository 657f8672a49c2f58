"""`/parties` and `/parties/{slug}`: the page people link to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dates import InvalidDate, date_or_today
from app.db import DbSession
from app.exceptions import Choice, NotFound
from app.matrix.queries import ordered_parties
from app.pages import render
from app.parties.queries import party_by_slug, party_page

router = APIRouter()


@router.get("/parties", name="parties")
def list_parties(request: Request, session: DbSession) -> Response:
    return render(request, "parties/index.html", {"parties": ordered_parties(session)})


@router.get("/parties/{slug}", name="party")
def show_party(
    request: Request, session: DbSession, slug: str, as_of: str | None = None
) -> Response:
    party = party_by_slug(session, slug)
    if party is None:
        raise NotFound(
            f"There is no party “{slug}”.",
            choices=[
                Choice(p.name, str(request.app.url_path_for("party", slug=p.slug)))
                for p in ordered_parties(session)
            ],
        )
    context = {"party": party, "form": {"as_of": as_of or ""}, "error": None, "page": None}
    try:
        as_of_date = date_or_today(as_of)
    except InvalidDate as problem:
        context["error"] = str(problem)
        return render(request, "parties/show.html", context, block="content", status_code=400)
    context["page"] = party_page(session, party, as_of_date)
    return render(request, "parties/show.html", context, block="content")
