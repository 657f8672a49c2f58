"""The follow feeds: `/talks/{negotiation}/parties/{party}/feed.atom`, `…/demands/{demand}/
feed.atom` and the cell's `…/parties/{party}/demands/{demand}/feed.atom` (a proposal's is
app/proposals/feed.py's). Each entry says the change in words (app/changes.py).

Bounded (app.atom.FEED_SIZE entries), a constant number of queries whatever the history, and
cached like every reader page: ETags from the data version (app/caching.py READER_ROUTES).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.atom import statement_feed, tag_id
from app.db import DbSession
from app.demands.queries import demand_in
from app.exceptions import NotFound
from app.follow.queries import changed_statements, party_in
from app.links import absolute_url
from app.models import Demand, Negotiation, Party
from app.negotiations.scope import Talks

router = APIRouter()

Slug = Annotated[str, Path(description="A slug.", max_length=100)]


def _party(session: DbSession, negotiation: Negotiation, slug: str) -> Party:
    party = party_in(session, negotiation.id, slug)
    if party is None:
        raise NotFound(f"No party “{slug}” takes part in {negotiation.title}.")
    return party


def _demand(session: DbSession, negotiation: Negotiation, slug: str) -> Demand:
    demand = demand_in(session, negotiation.id, slug)
    if demand is None:
        raise NotFound(f"There is no demand “{slug}” in {negotiation.title}.")
    return demand


def _statements_feed(
    request: Request,
    session: DbSession,
    negotiation: Negotiation,
    *,
    title: str,
    specific: str,
    self_url: str,
    html_url: str,
    party: Party | None = None,
    demand: Demand | None = None,
) -> Response:
    settings = request.app.state.settings
    statements = changed_statements(
        session,
        negotiation.id,
        party_id=party.id if party else None,
        demand_id=demand.id if demand else None,
    )
    return statement_feed(
        session,
        statements,
        title=f"{settings.site_name}: {title}",
        feed_id=tag_id(settings.tag_authority, specific),
        self_url=self_url,
        html_url=html_url,
        site_name=settings.site_name,
        authority=settings.tag_authority,
        statement_url=lambda sid: absolute_url(request, "statement", statement_id=sid),
    )


@router.get("/talks/{negotiation}/parties/{party}/feed.atom", name="party_feed")
def party_feed(request: Request, session: DbSession, negotiation: Talks, party: Slug) -> Response:
    found = _party(session, negotiation, party)
    return _statements_feed(
        request,
        session,
        negotiation,
        title=f"{found.name} in {negotiation.title}",
        # Ids, not slugs: a renamed slug keeps the feed the same feed.
        specific=f"negotiation/{negotiation.id}/party/{found.id}",
        self_url=absolute_url(
            request, "party_feed", negotiation=negotiation.slug, party=found.slug
        ),
        html_url=absolute_url(
            request, "talks_party", negotiation=negotiation.slug, slug=found.slug
        ),
        party=found,
    )


@router.get("/talks/{negotiation}/demands/{demand}/feed.atom", name="demand_feed")
def demand_feed(request: Request, session: DbSession, negotiation: Talks, demand: Slug) -> Response:
    found = _demand(session, negotiation, demand)
    return _statements_feed(
        request,
        session,
        negotiation,
        title=f"{found.title} ({negotiation.title})",
        specific=f"negotiation/{negotiation.id}/demand/{found.id}",
        self_url=absolute_url(
            request, "demand_feed", negotiation=negotiation.slug, demand=found.slug
        ),
        html_url=absolute_url(request, "demand", negotiation=negotiation.slug, slug=found.slug),
        demand=found,
    )


@router.get("/talks/{negotiation}/parties/{party}/demands/{demand}/feed.atom", name="cell_feed")
def cell_feed(
    request: Request, session: DbSession, negotiation: Talks, party: Slug, demand: Slug
) -> Response:
    found_party = _party(session, negotiation, party)
    found_demand = _demand(session, negotiation, demand)
    return _statements_feed(
        request,
        session,
        negotiation,
        title=f"{found_party.name} on {found_demand.title}",
        specific=f"negotiation/{negotiation.id}/party/{found_party.id}/demand/{found_demand.id}",
        self_url=absolute_url(
            request,
            "cell_feed",
            negotiation=negotiation.slug,
            party=found_party.slug,
            demand=found_demand.slug,
        ),
        html_url=absolute_url(request, "timeline", negotiation=negotiation.slug)
        + f"?party={found_party.slug}&demand={found_demand.slug}",
        party=found_party,
        demand=found_demand,
    )
