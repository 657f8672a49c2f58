"""Reads for the follow feeds: a bounded, newest-changed-first list of one scope's statements
(retracted ones included: a retraction is news), or of one proposal's versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from app.feeds import FEED_SIZE
from app.models import Demand, Participation, Party, Proposal, ProposalVersion, Source, Statement


def party_in(session: Session, negotiation_id: int, slug: str) -> Party | None:
    """The party of this slug, if it takes part in the negotiation. One query."""
    return session.scalar(
        select(Party)
        .join(Participation, Participation.party_id == Party.id)
        .where(Party.slug == slug, Participation.negotiation_id == negotiation_id)
    )


def demand_in(session: Session, negotiation_id: int, slug: str) -> Demand | None:
    return session.scalar(
        select(Demand).where(Demand.negotiation_id == negotiation_id, Demand.slug == slug)
    )


def proposal_in(session: Session, negotiation_id: int, slug: str) -> Proposal | None:
    return session.scalar(
        select(Proposal).where(Proposal.negotiation_id == negotiation_id, Proposal.slug == slug)
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
        .where(Statement.negotiation_id == negotiation_id)
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


def proposal_versions_newest(
    session: Session, proposal_id: int, size: int = FEED_SIZE
) -> list[tuple[ProposalVersion, Source, str | None]]:
    """The proposal's versions, newest first, each with its source and the label of the one
    before it. One query."""
    earlier = aliased(ProposalVersion)
    rows = session.execute(
        select(ProposalVersion, Source, earlier.label)
        .join(Source, Source.id == ProposalVersion.source_id)
        .outerjoin(earlier, earlier.id == ProposalVersion.previous_id)
        .where(ProposalVersion.proposal_id == proposal_id)
        .order_by(ProposalVersion.position.desc())
        .limit(size)
    ).all()
    return [(version, source, label) for version, source, label in rows]
