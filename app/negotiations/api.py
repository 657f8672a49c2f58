"""`/api/negotiations…`: every negotiation with its participants, one by slug with its demands."""

from __future__ import annotations

from app.api.params import Slug, api_router
from app.api.schemas import DemandRef, NegotiationDetail, NegotiationList, NegotiationOut
from app.db import DbSession
from app.exceptions import found
from app.links import Links
from app.negotiations.queries import (
    negotiation_by_slug,
    negotiation_demands,
    ordered_negotiations,
    participants,
)

router = api_router("negotiations")


@router.get("/api/negotiations", name="api_negotiations")
def list_negotiations(session: DbSession, link: Links) -> NegotiationList:
    """Every negotiation in display order, each with who takes part (a short list: not
    paginated)."""
    negotiations = ordered_negotiations(session)
    taking_part = participants(session, [n.id for n in negotiations])
    return NegotiationList(
        items=[NegotiationOut.of(n, taking_part.get(n.id, []), link) for n in negotiations]
    )


@router.get("/api/negotiations/{slug}", name="api_negotiation")
def show_negotiation(session: DbSession, slug: Slug, link: Links) -> NegotiationDetail:
    """One negotiation, by its slug: who takes part, in what role, and the demands on its
    table."""
    negotiation = found(negotiation_by_slug(session, slug), f"There is no negotiation {slug!r}.")
    summary = NegotiationOut.of(
        negotiation, participants(session, [negotiation.id])[negotiation.id], link
    )
    return NegotiationDetail(
        **summary.model_dump(),
        demands=[
            DemandRef.of(d, link, negotiation.slug)
            for d in negotiation_demands(session, negotiation.id)
        ],
    )
