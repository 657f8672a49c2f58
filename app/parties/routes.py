"""The party pages people link to: `/parties/{slug}`, a party across every negotiation it takes
part in, and `/talks/{negotiation}/parties/{slug}`, the party within one; `/parties` lists them
with their negotiations and roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.dates import InvalidDate, date_or_today
from app.db import DbSession
from app.exceptions import Choice, NotFound
from app.links import app_path
from app.matrix.queries import ordered_parties
from app.models import Party
from app.negotiations.queries import participants
from app.negotiations.scope import Talks
from app.pages import render
from app.parties.queries import (
    participation_in,
    party_across,
    party_by_slug,
    party_page,
    roles_by_party,
)
from app.records import RECORDED_HELP, parse_recorded
from app.slugs import SLUG_MAX

router = APIRouter()

Slug = Path(description="The party's slug.")
Recorded = Annotated[str | None, Query(description=RECORDED_HELP)]


@router.get("/parties", name="parties")
def list_parties(request: Request, session: DbSession) -> Response:
    return render(
        request,
        "parties/index.html",
        {"parties": ordered_parties(session), "roles": roles_by_party(session)},
    )


def _party(request: Request, session: DbSession, slug: str) -> Party:
    # Longer than any slug: a 404 without a query carrying it.
    party = party_by_slug(session, slug) if len(slug) <= SLUG_MAX else None
    if party is None:
        raise NotFound(
            f"There is no party “{slug[:SLUG_MAX]}”.",
            choices=[
                Choice(p.name, app_path(request.app, "party", slug=p.slug))
                for p in ordered_parties(session)
            ],
        )
    return party


@router.get("/parties/{slug}", name="party")
def show_party(
    request: Request,
    session: DbSession,
    slug: str = Slug,
    as_of: str | None = None,
    recorded: Recorded = None,
) -> Response:
    """The party across its negotiations, a heading (and role) per negotiation."""
    party = _party(request, session, slug)
    context = {
        "party": party,
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
        return render(request, "parties/show.html", context, block="content", status_code=400)
    context["page"] = party_across(session, party, as_of_date, recorded_day)
    return render(request, "parties/show.html", context, block="content")


@router.get("/talks/{negotiation}/parties/{slug}", name="talks_party")
def show_talks_party(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: str = Slug,
    as_of: str | None = None,
    recorded: Recorded = None,
) -> Response:
    """The party within these talks: its role, its positions on their demands."""
    party = party_by_slug(session, slug) if len(slug) <= SLUG_MAX else None
    participation = participation_in(session, negotiation.id, party.id) if party else None
    if party is None or participation is None:
        what = (
            f"“{party.name}” does not take part"
            if party
            else f"There is no party “{slug[:SLUG_MAX]}”"
        )
        raise NotFound(
            f"{what} in {negotiation.title}.",
            choices=[
                Choice(
                    p.party.name,
                    str(
                        app_path(
                            request.app,
                            "talks_party",
                            negotiation=negotiation.slug,
                            slug=p.party.slug,
                        )
                    ),
                )
                for p in participants(session, [negotiation.id])[negotiation.id]
            ],
        )
    context = {
        "negotiation": negotiation,
        "party": party,
        "participation": participation,
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
        return render(request, "parties/talks_show.html", context, block="content", status_code=400)
    context["page"] = party_page(session, party, participation, as_of_date, recorded_day)
    return render(request, "parties/talks_show.html", context, block="content")
