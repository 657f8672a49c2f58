"""Reads for the party pages: positions on every demand and how each one moved."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from app.models import Demand, Party, Statement
from app.positions import HistoryEntry, position_histories, with_positions
from app.stances import Stance


@dataclass(frozen=True)
class DemandPosition:
    demand: Demand
    statement: Statement | None
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def stance(self) -> Stance | None:
        return Stance(self.statement.stance) if self.statement else None

    @property
    def shifts(self) -> int:
        return sum(entry.is_shift for entry in self.history)


@dataclass(frozen=True)
class PartyPage:
    party: Party
    as_of: dt.date
    positions: list[DemandPosition]

    @property
    def stated(self) -> list[DemandPosition]:
        return [p for p in self.positions if p.statement is not None]

    def summary(self, limit: int = 280) -> str:
        """One line on its positions, for link previews (Open Graph, Twitter cards)."""
        parts = [f"{p.stance.label} on “{p.demand.title}”" for p in self.stated if p.stance]
        if not parts:
            return f"{self.party.name}: no stated positions yet."
        text = f"{self.party.name}: " + "; ".join(parts) + "."
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def party_by_slug(session: Session, slug: str) -> Party | None:
    return session.scalar(select(Party).where(Party.slug == slug))


def party_page(session: Session, party: Party, as_of: dt.date) -> PartyPage:
    """Everything the party page shows, in two queries whatever the number of statements."""
    demands = select(Demand).order_by(Demand.display_order, Demand.id)
    query, position = with_positions(
        session.get_bind().dialect.name, demands, literal(party.id), Demand.id, as_of
    )
    rows = session.execute(query.add_columns(position)).all()

    histories: dict[int, list[HistoryEntry]] = defaultdict(list)
    for entry in position_histories(session, as_of, party_ids=[party.id]):
        histories[entry.statement.demand_id].append(entry)

    positions = [
        DemandPosition(demand, statement, histories.get(demand.id, []))
        for demand, statement in rows
    ]
    return PartyPage(party=party, as_of=as_of, positions=positions)
