"""`/api/parties…`: every party, one by slug, and its revisions."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from app.api.params import DEFAULT_LIMIT, Cursor, Limit, Slug, api_router
from app.api.revisions import revision_list
from app.api.schemas import PartyList, PartyOut, RevisionList
from app.db import DbSession
from app.exceptions import found
from app.links import Links
from app.matrix.queries import ordered_parties
from app.models import Party
from app.parties.queries import party_by_slug

router = api_router("parties")


@router.get("/api/parties", name="api_parties")
def list_parties(session: DbSession, link: Links) -> PartyList:
    """Every party, by name (a short list: not paginated)."""
    return PartyList(items=[PartyOut.of_party(party, link) for party in ordered_parties(session)])


def _party(session: Session, slug: str) -> Party:
    return found(party_by_slug(session, slug), f"There is no party {slug!r}.")


@router.get("/api/parties/{slug}", name="api_party")
def show_party(session: DbSession, slug: Slug, link: Links) -> PartyOut:
    """One party, by its slug."""
    return PartyOut.of_party(_party(session, slug), link)


@router.get("/api/parties/{slug}/revisions", name="api_party_revisions")
def party_revisions(
    request: Request,
    session: DbSession,
    slug: Slug,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> RevisionList:
    """Every accepted change to the party, newest first."""
    party = _party(session, slug)
    return revision_list(request, session, Party.ENTITY_TYPE, party.id, cursor, limit)
