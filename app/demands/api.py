"""`/api/demands…`: every demand, one by slug, and its revisions."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.api.params import DEFAULT_LIMIT, Cursor, Limit, Slug, api_router
from app.api.revisions import revision_list
from app.api.schemas import DemandList, DemandOut, RevisionList
from app.db import DbSession
from app.demands.queries import demand_by_slug
from app.exceptions import found
from app.links import Links
from app.matrix.queries import DEMAND_ORDER
from app.models import Demand, Negotiation

router = api_router("demands")


@router.get("/api/demands", name="api_demands")
def list_demands(session: DbSession, link: Links) -> DemandList:
    """Every demand, in display order (a short list: not paginated)."""
    # With its negotiation in the same query: one query for the list, as before.
    demands = session.scalars(
        select(Demand).options(joinedload(Demand.negotiation)).order_by(*DEMAND_ORDER)
    )
    return DemandList(items=[DemandOut.of_demand(d, d.negotiation, link) for d in demands])


def _demand(session: Session, slug: str) -> Demand:
    return found(demand_by_slug(session, slug), f"There is no demand {slug!r}.")


@router.get("/api/demands/{slug}", name="api_demand")
def show_demand(session: DbSession, slug: Slug, link: Links) -> DemandOut:
    """One demand, by its slug."""
    demand = _demand(session, slug)
    return DemandOut.of_demand(demand, session.get_one(Negotiation, demand.negotiation_id), link)


@router.get("/api/demands/{slug}/revisions", name="api_demand_revisions")
def demand_revisions(
    request: Request,
    session: DbSession,
    slug: Slug,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> RevisionList:
    """Every accepted change to the demand, newest first."""
    demand = _demand(session, slug)
    return revision_list(request, session, Demand.ENTITY_TYPE, demand.id, cursor, limit)
