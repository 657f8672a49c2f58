"""Reads for the follow feeds: a bounded, newest-changed-first list of one scope's published
statements (retracted ones included: a retraction is news; drafts never)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.atom import FEED_SIZE
from app.models import Participation, Party, Statement


def party_in(session: Session, negotiation_id: int, slug: str) -> Party | None:
    """The party of this slug, if it takes part in the negotiation. One query."""
    return session.scalar(
        select(Party)
        .join(Participation, Participation.party_id == Party.id)
        .where(Party.slug == slug, Participation.negotiation_id == negotiation_id)
    )


def changed_statements(
    session: Session,
    negotiation_id: int,
    *,
    party_id: int | None = None,
    demand_id: int | None = None,
    size: int = FEED_SIZE,
) -> list[Statement]:
    """The scope's statements, most recently changed first (a correction or a retraction comes
    back to the top, as its entry's `updated` says), at most `size`. One query."""
    query = (
        select(Statement)
        # Drafts are in no reader's feed (issue 19); a retracted one is, as its retraction.
        .where(Statement.negotiation_id == negotiation_id, Statement.published_at.is_not(None))
        .order_by(Statement.updated_at.desc(), Statement.id.desc())
        .limit(size)
        .options(
            joinedload(Statement.party),
            joinedload(Statement.demand),
            joinedload(Statement.source),
        )
    )
    if party_id is not None:
        query = query.where(Statement.party_id == party_id)
    if demand_id is not None:
        query = query.where(Statement.demand_id == demand_id)
    return list(session.scalars(query))
