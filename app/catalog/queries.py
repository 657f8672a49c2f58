"""Reads for the catalog pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.kinds import Kind
from app.models import Demand, Party, Source


def records(session: Session, kind: Kind) -> list[Any]:
    orders: dict[type[Any], tuple[Any, ...]] = {
        Party: (Party.name,),
        Demand: (Demand.display_order, Demand.id),
        Source: (Source.id.desc(),),
    }
    order = orders[kind.model]
    return list(session.scalars(select(kind.model).order_by(*order)))


def record(session: Session, kind: Kind, record_id: int) -> Any:
    return session.get(kind.model, record_id)
