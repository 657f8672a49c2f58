"""Reads for the party pages: positions on every demand and how each one moved."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from app.models import Demand, Party, Statement
from app.positions import HistoryEntry, position_histories, with_positions
from app.stances import SCALE, Stance


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

    def tally(self) -> list[tuple[Stance, int]]:
        """How many demands the party holds each stance on, highest stance first; only those
        it holds."""
        counts = Counter(p.stance for p in self.stated if p.stance is not None)
        return [(stance, counts[stance]) for stance in SCALE if counts[stance]]

    @property
    def silent(self) -> int:
        return len(self.positions) - len(self.stated)

    def shifts_by_year(self) -> list[tuple[int, int]]:
        """Shifts per year, latest year first (among the statements the page shows)."""
        years = Counter(
            entry.statement.stated_on.year
            for p in self.positions
            for entry in p.history
            if entry.is_shift
        )
        return sorted(years.items(), reverse=True)

    def headline(self) -> str:
        """The card's sentence: 'Russia insists on 5 terms, rejects 1; 2 shifts in 2025.'"""
        tally = self.tally()
        if not tally:
            return f"{self.party.name} has stated no position yet."
        parts = [
            f"{VERBS[stance]} {count}" + (f" term{'s' if count != 1 else ''}" if i == 0 else "")
            for i, (stance, count) in enumerate(tally)
        ]
        text = f"{self.party.name} {_join(parts)}"
        if self.silent:
            text += f"; no stated position on {self.silent}"
        shifts = self.shifts_by_year()
        if shifts:
            year, count = shifts[0]
            text += f"; {count} shift{'s' if count != 1 else ''} in {year}"
        else:
            text += "; no shifts"
        return text + "."

    def summary(self, limit: int = 280) -> str:
        """One line on its positions, for link previews (Open Graph, Twitter cards)."""
        parts = [f"{p.stance.label} on “{p.demand.title}”" for p in self.stated if p.stance]
        if not parts:
            return f"{self.party.name}: no stated positions yet."
        text = f"{self.party.name}: " + "; ".join(parts) + "."
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The stances as verbs, for the party card's sentence ("insists on 5 terms, rejects 1").
VERBS = {
    Stance.INSISTS: "insists on",
    Stance.ACCEPTS: "accepts",
    Stance.OPEN: "is open on",
    Stance.REJECTS: "rejects",
    Stance.RED_LINE: "draws a red line on",
}


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


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
