"""Share images (issue 20, item 3): a 1200 × 630 PNG per party page, cell (party × demand),
demand chart and comparison, for link previews (`og:image`).

Reader routes (app/caching.py): the render cache keeps each PNG under the data version, so an
image is drawn once per write, not once per request, and a shared cache may keep it. Cards are
built from the reader queries, which see published statements only: there is no share image of
a draft.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.compare.queries import comparison
from app.db import DbSession
from app.links import absolute_url, statement_href
from app.negotiations.scope import Talks
from app.parties.queries import party_across
from app.share import lookups
from app.share.cards import (
    Card,
    cell_card,
    comparison_card,
    demand_card,
    party_across_card,
    party_card,
)
from app.share.images import card_svg, render_png
from app.share.lookups import DemandSlug, PartySlug

router = APIRouter()

Parties = Query(description="The parties compared, comma-separated.", max_length=2000)


def _png(request: Request, card: Card, link_back: str) -> Response:
    svg = card_svg(
        request.app.state.templates.env,
        card,
        site=request.app.state.settings.site_name,
        url=link_back.split("://", 1)[-1],
    )
    return Response(render_png(svg), media_type="image/png")


@router.get("/talks/{negotiation}/parties/{slug}/share.png", name="party_share_image")
def party_image(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: PartySlug,
    as_of: str | None = None,
) -> Response:
    page, back = lookups.party_in_talks(request, session, negotiation, slug, lookups.day(as_of))
    return _png(request, party_card(page, negotiation), back)


@router.get("/parties/{slug}/share.png", name="party_across_share_image")
def party_across_image(
    request: Request, session: DbSession, slug: PartySlug, as_of: str | None = None
) -> Response:
    day = lookups.day(as_of)
    party = lookups.party(request, session, slug)
    back = absolute_url(request, "party", slug=party.slug)
    return _png(request, party_across_card(party_across(session, party, day)), back)


@router.get("/talks/{negotiation}/demands/{slug}/share.png", name="demand_share_image")
def demand_image(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: DemandSlug,
    as_of: str | None = None,
) -> Response:
    page, back = lookups.demand(request, session, negotiation, slug, lookups.day(as_of))
    return _png(request, demand_card(page, negotiation), back)


@router.get("/talks/{negotiation}/cells/{party}/{demand}/share.png", name="cell_share_image")
def cell_image(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    party: PartySlug,
    demand: DemandSlug,
    as_of: str | None = None,
) -> Response:
    page, back = lookups.cell(request, session, negotiation, party, demand, lookups.day(as_of))
    return _png(request, cell_card(page), back)


@router.get("/talks/{negotiation}/compare/share.png", name="compare_share_image")
def compare_image(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    parties: str = Parties,
    as_of: str | None = None,
) -> Response:
    day = lookups.day(as_of)
    chosen = lookups.compared(session, negotiation, [parties])
    found = comparison(session, negotiation.id, chosen, day, statement_href(request))
    back = absolute_url(request, "compare", negotiation=negotiation.slug)
    back += "?parties=" + ",".join(p.slug for p in chosen)
    return _png(request, comparison_card(found, negotiation), back)
