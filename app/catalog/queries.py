"""Reads for the catalog pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.catalog.kinds import Kind
from app.models import Demand, Negotiation, Participation, Party, Source, User

# What a kind's title names besides the record itself: loaded with it (one query).
LOADED: dict[type[Any], tuple[Any, ...]] = {
    Participation: (joinedload(Participation.party), joinedload(Participation.negotiation)),
}


def records(session: Session, kind: Kind, user: User) -> list[Any]:
    """The kind's records in list order; of a negotiation's, only those of the account's."""
    orders: dict[type[Any], tuple[Any, ...]] = {
        Party: (Party.name,),
        Demand: (Demand.negotiation_id, Demand.display_order, Demand.id),
        Source: (Source.id.desc(),),
        Negotiation: (Negotiation.display_order, Negotiation.id),
        Participation: (
            Participation.negotiation_id,
            Participation.display_order,
            Participation.id,
        ),
    }
    order = orders[kind.model]
    query = select(kind.model).order_by(*order).options(*LOADED.get(kind.model, ()))
    column = kind.model.NEGOTIATION_COLUMN
    if column is not None and not user.edits_every_negotiation:
        ids = [n.id for n in user.granted]
        query = query.where(getattr(kind.model, column).in_(ids))
    return list(session.scalars(query))


def record(session: Session, kind: Kind, record_id: int) -> Any:
    return session.get(kind.model, record_id, options=LOADED.get(kind.model, ()))
