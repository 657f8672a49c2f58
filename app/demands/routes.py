"""`/demands` and `/demands/{slug}`: every party on one demand, side by side and over time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dates import InvalidDate, date_or_today
from app.db import DbSession
from app.demands.queries import demand_by_slug, demand_page
from app.exceptions import Choice, NotFound
from app.links import statement_href
from app.matrix.queries import ordered_demands
from app.pages import render

router = APIRouter()


@router.get("/demands", name="demands")
def list_demands(request: Request, session: DbSession) -> Response:
    return render(request, "demands/index.html", {"demands": ordered_demands(session)})


@router.get("/demands/{slug}", name="demand")
def show_demand(
    request: Request,
    session: DbSession,
    slug: str,
    as_of: str | None = None,
    chart: str | None = None,
) -> Response:
    demand = demand_by_slug(session, slug)
    if demand is None:
        raise NotFound(
            f"There is no demand “{slug}”.",
            choices=[
                Choice(d.title, str(request.app.url_path_for("demand", slug=d.slug)))
                for d in ordered_demands(session)
            ],
        )
    context = {"demand": demand, "form": {"as_of": as_of or ""}, "error": None, "page": None}
    try:
        as_of_date = date_or_today(as_of)
    except InvalidDate as problem:
        context["error"] = str(problem)
        return render(request, "demands/show.html", context, block="content", status_code=400)
    # ?chart=full: the chart over every day up to as_of; anything else is the story's window.
    context["page"] = demand_page(
        session, demand, as_of_date, statement_href(request), full_range=chart == "full"
    )
    return render(request, "demands/show.html", context, block="content")
