"""Reads of negotiations and who takes part in them."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import Demand, Negotiation, Participation, User


def ordered_negotiations(session: Session) -> list[Negotiation]:
    return list(
        session.scalars(select(Negotiation).order_by(Negotiation.display_order, Negotiation.id))
    )


def participants(session: Session, negotiation_ids: list[int]) -> dict[int, list[Participation]]:
    """Each negotiation's participations with their parties, in display order: one query."""
    found: dict[int, list[Participation]] = defaultdict(list)
    if not negotiation_ids:
        return found
    rows = session.scalars(
        select(Participation)
        .where(Participation.negotiation_id.in_(negotiation_ids))
        .order_by(Participation.display_order, Participation.id)
        .options(joinedload(Participation.party))
    )
    for participation in rows:
        found[participation.negotiation_id].append(participation)
    return found


def negotiation_demands(session: Session, negotiation_id: int) -> list[Demand]:
    return list(
        session.scalars(
            select(Demand)
            .where(Demand.negotiation_id == negotiation_id)
            .order_by(Demand.display_order, Demand.id)
        )
    )


def negotiation_by_slug(session: Session, slug: str) -> Negotiation | None:
    return session.scalar(select(Negotiation).where(Negotiation.slug == slug))


def only_negotiation(session: Session) -> Negotiation | None:
    """The negotiation, when there is exactly one (so "which talks?" needs no answer)."""
    found = list(session.scalars(select(Negotiation).order_by(Negotiation.id).limit(2)))
    return found[0] if len(found) == 1 else None


def takes_part(session: Session, *, negotiation_id: int, party_id: int) -> bool:
    return (
        session.scalar(
            select(Participation.id).where(
                Participation.negotiation_id == negotiation_id,
                Participation.party_id == party_id,
            )
        )
        is not None
    )


def party_negotiations(session: Session, party_id: int, among: list[int]) -> list[int]:
    """Of the negotiations `among`, those the party takes part in: one query."""
    return list(
        session.scalars(
            select(Participation.negotiation_id)
            .where(Participation.party_id == party_id, Participation.negotiation_id.in_(among))
            .order_by(Participation.negotiation_id)
        )
    )


def editable_negotiations(session: Session, user: User) -> list[Negotiation]:
    """The negotiations `user` may write to, in display order: what editors' forms offer."""
    if user.edits_every_negotiation:
        return ordered_negotiations(session)
    return list(user.granted)
