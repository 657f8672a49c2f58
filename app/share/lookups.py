"""What a share image's or an embed's URL names: a party of the talks, a demand of the talks, the
parties compared, the day. Each miss is a 4xx that says what was wrong, never a 500."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from sqlalchemy.orm import Session

from app.compare.routes import InvalidSelection, chosen_parties, named_slugs, outsiders_of
from app.dates import InvalidDate, date_or_today
from app.demands.queries import demand_in
from app.exceptions import BadRequest, Choice, NotFound
from app.links import app_path
from app.matrix.queries import ordered_parties
from app.models import Demand, Negotiation, Participation, Party
from app.negotiations.queries import negotiation_demands, participants
from app.parties.queries import participation_in, party_by_slug
from app.slugs import SLUG_MAX


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
    known = [p.party for p in participants(session, [negotiation.id])[negotiation.id]]
    try:
        slugs = named_slugs(values)
        return chosen_parties(values, known, outsiders_of(session, slugs, known), negotiation.title)
    except InvalidSelection as problem:
        raise BadRequest.parameter("parties", str(problem)) from None
