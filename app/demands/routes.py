"""`/talks/{negotiation}/demands` and `/talks/{negotiation}/demands/{slug}`: every participant
of the talks on one demand, side by side and over time; and the URLs from before negotiations,
`/demands` and `/demands/{slug}`, which move there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.dates import InvalidDate, date_or_today
from app.db import DbSession
from app.demands.queries import demand_in, demand_page, negotiations_with_demand
from app.exceptions import Choice, NotFound
from app.links import app_path, statement_href
from app.negotiations.queries import negotiation_demands, ordered_negotiations
from app.negotiations.scope import Talks, moved_or_ask
from app.pages import render
from app.plans import plan_as_of
from app.records import RECORDED_HELP, parse_recorded
from app.slugs import SLUG_MAX as MAX_SLUG

router = APIRouter()

Slug = Path(description="The demand's slug within the talks.")


@router.get("/talks/{negotiation}/demands", name="demands")
def list_demands(request: Request, session: DbSession, negotiation: Talks) -> Response:
    return render(
        request,
        "demands/index.html",
        {"negotiation": negotiation, "demands": negotiation_demands(session, negotiation.id)},
    )


@router.get("/talks/{negotiation}/demands/{slug}", name="demand")
def show_demand(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: str = Slug,
    as_of: str | None = None,
    chart: str | None = None,
    with_: Annotated[
        str | None,
        Query(alias="with", max_length=100, description="A proposal's slug to set beside."),
    ] = None,
    recorded: Annotated[str | None, Query(description=RECORDED_HELP)] = None,
) -> Response:
    # A slug longer than any slug names nothing: a 404 like any unknown slug, without a query
    # carrying 5,000 characters.
    demand = demand_in(session, negotiation.id, slug) if len(slug) <= MAX_SLUG else None
    if demand is None:
        raise NotFound(
            f"There is no demand “{slug[:MAX_SLUG]}” in {negotiation.title}.",
            choices=[
                Choice(
                    d.title,
                    app_path(request.app, "demand", negotiation=negotiation.slug, slug=d.slug),
                )
                for d in negotiation_demands(session, negotiation.id)
            ],
        )
    context = {
        "negotiation": negotiation,
        "demand": demand,
        "form": {"as_of": as_of or "", "recorded": recorded or ""},
        "error": None,
        "page": None,
        "recorded": None,
    }
    try:
        recorded_day = context["recorded"] = parse_recorded(recorded)
        as_of_date = recorded_day if recorded_day and not as_of else date_or_today(as_of)
    except InvalidDate as problem:
        context["error"] = str(problem)
        return render(request, "demands/show.html", context, block="content", status_code=400)
    # ?chart=full: the chart over every day up to as_of; anything else is the story's window.
    context["page"] = demand_page(
        session,
        demand,
        as_of_date,
        statement_href(request),
        full_range=chart == "full",
        recorded=recorded_day,
    )
    # The plan's stance on this demand and each party's gap to it: two queries more.
    context["plan"] = plan_as_of(session, negotiation.id, with_, as_of_date) if with_ else None
    return render(request, "demands/show.html", context, block="content")


@router.get("/demands", name="old_demands")
def old_demands(request: Request, session: DbSession) -> Response:
    return moved_or_ask(request, ordered_negotiations(session), "demands", what="demands")


@router.get("/demands/{slug}", name="old_demand")
def old_demand(
    request: Request, session: DbSession, slug: str = Slug, as_of: str | None = None
) -> Response:
    """Where `/demands/{slug}` went: the demand of that slug in each negotiation having one."""
    del as_of  # kept in the query it moves with
    candidates = negotiations_with_demand(session, slug) if len(slug) <= MAX_SLUG else []
    if not candidates:
        raise NotFound(f"No negotiation has a demand “{slug[:MAX_SLUG]}”.")
    return moved_or_ask(
        request,
        candidates,
        "demand",
        lambda n: {"negotiation": n.slug, "slug": slug},
        what=f"a demand “{slug}”",
    )
