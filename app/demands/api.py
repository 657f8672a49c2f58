"""`/api/negotiations/{slug}/demands…`: a negotiation's demands, one by its slug, and its
revisions; `/api/demands`, every demand of every negotiation.

A demand's slug is unique within its negotiation only, so one demand is always read under its
negotiation. `/api/demands/{slug}` is from before negotiations: it moves (301) to the only
negotiation having a demand of that slug, or asks which (300) when several have one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from starlette.responses import Response

from app.api.params import DEFAULT_LIMIT, ApiTalks, Cursor, Limit, Slug, api_router
from app.api.problems import MOVED_RESPONSES, moved_or_choose
from app.api.revisions import revision_list
from app.api.schemas import DemandList, DemandOut, RevisionList
from app.db import DbSession
from app.demands.queries import demand_in, negotiations_with_demand
from app.exceptions import found
from app.links import Links
from app.matrix.queries import DEMAND_ORDER
from app.models import Demand, Negotiation
from app.negotiations.queries import negotiation_demands

router = api_router("demands")

DemandSlug = Annotated[
    str,
    Path(
        description="The demand's slug, unique within its negotiation.",
        max_length=100,
        examples=["nato-renunciation"],
    ),
]


@router.get("/api/demands", name="api_demands")
def list_demands(session: DbSession, link: Links) -> DemandList:
    """Every demand of every negotiation, in display order, each naming its negotiation (a
    short list: not paginated)."""
    # With its negotiation in the same query: one query for the list, as before.
    demands = session.scalars(
        select(Demand).options(joinedload(Demand.negotiation)).order_by(*DEMAND_ORDER)
    )
    return DemandList(items=[DemandOut.of_demand(d, d.negotiation, link) for d in demands])


@router.get("/api/negotiations/{slug}/demands", name="api_negotiation_demands")
def list_negotiation_demands(session: DbSession, negotiation: ApiTalks, link: Links) -> DemandList:
    """The negotiation's demands, in display order (a short list: not paginated)."""
    demands = negotiation_demands(session, negotiation.id)
    return DemandList(items=[DemandOut.of_demand(d, negotiation, link) for d in demands])


def _demand(session: DbSession, negotiation: Negotiation, slug: str) -> Demand:
    return found(
        demand_in(session, negotiation.id, slug),
        f"{negotiation.title} have no demand {slug!r}.",
    )


@router.get("/api/negotiations/{slug}/demands/{demand}", name="api_demand")
def show_demand(
    session: DbSession, negotiation: ApiTalks, demand: DemandSlug, link: Links
) -> DemandOut:
    """One demand of the negotiation, by its slug."""
    return DemandOut.of_demand(_demand(session, negotiation, demand), negotiation, link)


@router.get("/api/negotiations/{slug}/demands/{demand}/revisions", name="api_demand_revisions")
def demand_revisions(
    request: Request,
    session: DbSession,
    negotiation: ApiTalks,
    demand: DemandSlug,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> RevisionList:
    """Every accepted change to the demand, newest first."""
    record = _demand(session, negotiation, demand)
    return revision_list(request, session, Demand.ENTITY_TYPE, record.id, cursor, limit)


# From before negotiations: their parameters are declared (so checked, and documented) but read
# by the scoped endpoint they move to.


@router.get(
    "/api/demands/{slug}", name="old_api_demand", deprecated=True, responses=MOVED_RESPONSES
)
def old_demand(request: Request, session: DbSession, slug: Slug) -> Response:
    """Moved: `/api/negotiations/{slug}/demands/{demand}`. A 301 there when one negotiation has
    a demand of this slug, else a 300 listing each one's URL."""
    return _moved(request, session, "api_demand", slug)


@router.get(
    "/api/demands/{slug}/revisions",
    name="old_api_demand_revisions",
    deprecated=True,
    responses=MOVED_RESPONSES,
)
def old_demand_revisions(
    request: Request,
    session: DbSession,
    slug: Slug,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """Moved: `/api/negotiations/{slug}/demands/{demand}/revisions`, as `/api/demands/{slug}`."""
    return _moved(request, session, "api_demand_revisions", slug)


def _moved(request: Request, session: DbSession, route: str, slug: str) -> Response:
    return moved_or_choose(
        request,
        negotiations_with_demand(session, slug),
        route,
        none=f"There is no demand {slug!r}.",
        demand=slug,
    )
