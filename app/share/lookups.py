"""What a share image's or an embed's URL names: a party of the talks, a demand of the talks, the
parties compared, the day. Each miss is a 4xx that says what was wrong, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Request
from sqlalchemy.orm import Session

from app.compare.selection import InvalidSelection, compared_parties
from app.dates import InvalidDate, date_or_today
from app.demands.queries import DemandPage, demand_in, demand_page
from app.exceptions import BadRequest, Choice, NotFound
from app.links import absolute_url, app_path, statement_href
from app.matrix.queries import ordered_parties
from app.models import Demand, Negotiation, Participation, Party
from app.negotiations.queries import negotiation_demands, participants
from app.parties.queries import PartyPage, participation_in, party_by_slug, party_page
from app.share.cards import CellPage, cell_page
from app.slugs import SLUG_MAX

# The path parameters of the share images and the embeds. Annotated, not `= Path(...)`
# defaults: FastAPI names a shared default after its first use.
PartySlug = Annotated[str, Path(description="The party's slug.")]
DemandSlug = Annotated[str, Path(description="The demand's slug within the talks.")]


def day(as_of: str | None) -> dt.date:
    try:
        return date_or_today(as_of)
    except InvalidDate as problem:
        raise BadRequest.parameter("as_of", str(problem)) from None


def party(request: Request, session: Session, slug: str) -> Party:
    found = party_by_slug(session, slug) if len(slug) <= SLUG_MAX else None
    if found is None:
        raise NotFound(
            f"There is no party “{slug[:SLUG_MAX]}”.",
            choices=[
                Choice(p.name, app_path(request.app, "party", slug=p.slug))
                for p in ordered_parties(session)
            ],
        )
    return found


def talks_party(
    request: Request, session: Session, negotiation: Negotiation, slug: str
) -> tuple[Party, Participation]:
    party = party_by_slug(session, slug) if len(slug) <= SLUG_MAX else None
    participation = participation_in(session, negotiation.id, party.id) if party else None
    if party is None or participation is None:
        raise NotFound(
            f"There is no party “{slug[:SLUG_MAX]}” in {negotiation.title}.",
            choices=[
                Choice(
                    p.party.name,
                    app_path(
                        request.app, "talks_party", negotiation=negotiation.slug, slug=p.party.slug
                    ),
                )
                for p in participants(session, [negotiation.id])[negotiation.id]
            ],
        )
    return party, participation


def talks_demand(request: Request, session: Session, negotiation: Negotiation, slug: str) -> Demand:
    demand = demand_in(session, negotiation.id, slug) if len(slug) <= SLUG_MAX else None
    if demand is None:
        raise NotFound(
            f"There is no demand “{slug[:SLUG_MAX]}” in {negotiation.title}.",
            choices=[
                Choice(
                    d.title,
                    app_path(request.app, "demand", negotiation=negotiation.slug, slug=d.slug),
                )
                for d in negotiation_demands(session, negotiation.id)
            ],
        )
    return demand


def compared(session: Session, negotiation: Negotiation, values: list[str]) -> list[Party]:
    try:
        return compared_parties(session, negotiation, values)
    except InvalidSelection as problem:
        raise BadRequest.parameter("parties", str(problem)) from None


def cell(
    request: Request,
    session: Session,
    negotiation: Negotiation,
    party_slug: str,
    demand_slug: str,
    as_of: dt.date,
) -> tuple[CellPage, str]:
    """The cell (party × demand) and the page it links back to: a cell has no page of its own,
    its demand's page shows every party on it."""
    found_party, _ = talks_party(request, session, negotiation, party_slug)
    found_demand = talks_demand(request, session, negotiation, demand_slug)
    page = cell_page(
        session, negotiation, found_party, found_demand, as_of, statement_href(request)
    )
    back = absolute_url(request, "demand", negotiation=negotiation.slug, slug=found_demand.slug)
    return page, back


def party_in_talks(
    request: Request, session: Session, negotiation: Negotiation, slug: str, as_of: dt.date
) -> tuple[PartyPage, str]:
    """The party's page in these talks and its address."""
    found, participation = talks_party(request, session, negotiation, slug)
    page = party_page(session, found, participation, as_of)
    back = absolute_url(request, "talks_party", negotiation=negotiation.slug, slug=found.slug)
    return page, back


def demand(
    request: Request, session: Session, negotiation: Negotiation, slug: str, as_of: dt.date
) -> tuple[DemandPage, str]:
    """The demand's page (its chart) and its address."""
    found = talks_demand(request, session, negotiation, slug)
    page = demand_page(session, found, as_of, statement_href(request))
    back = absolute_url(request, "demand", negotiation=negotiation.slug, slug=found.slug)
    return page, back
