"""Reads for the party pages: its positions on each demand of the talks it takes part in, and how
each one moved; within one negotiation, or across all of them."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import Demand, Negotiation, Participation, Party
from app.positions import HistoryEntry, HistoryStatement, position_histories
from app.records import end_of_day
from app.stances import SCALE, Stance


@dataclass(frozen=True)
class DemandPosition:
    demand: Demand
    # A tuple: part of the key its rendered HTML is kept by (app/kept_html.py).
    history: tuple[HistoryEntry, ...] = ()

    @property
    def latest(self) -> HistoryEntry | None:
        return self.history[-1] if self.history else None

    @property
    def statement(self) -> HistoryStatement | None:
        return self.history[-1].statement if self.history else None

    @property
    def stance(self) -> Stance | None:
        if self.statement is None or self.statement.stance is None:
            return None
        return Stance(self.statement.stance)

    @property
    def conditional(self) -> bool:
        return bool(self.history) and self.history[-1].conditional

    @property
    def shifts(self) -> int:
        return sum(entry.is_shift for entry in self.history)


def _summary(party: Party, positions: list[DemandPosition], limit: int) -> str:
    """One line on its positions, for link previews (Open Graph, Twitter cards)."""
    parts = [f"{p.stance.label} on “{p.demand.title}”" for p in positions if p.stance]
    if not parts:
        return f"{party.name}: no stated positions yet."
    text = f"{party.name}: " + "; ".join(parts) + "."
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class PartyCard:
    """What a party page opens with, per negotiation: one sentence and a tally by stance."""

    party: Party
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


@dataclass(frozen=True)
class PartyPage:
    """A party within one negotiation: its role there and its positions on its demands."""

    party: Party
    participation: Participation
    as_of: dt.date
    positions: list[DemandPosition]

    @property
    def stated(self) -> list[DemandPosition]:
        return [p for p in self.positions if p.statement is not None]

    @property
    def card(self) -> PartyCard:
        return PartyCard(self.party, self.positions)

    def summary(self, limit: int = 280) -> str:
        return _summary(self.party, self.positions, limit)


@dataclass(frozen=True)
class TalksPositions:
    """One negotiation's part of the party page across negotiations."""

    party: Party
    participation: Participation
    positions: list[DemandPosition]

    @property
    def negotiation(self) -> Negotiation:
        return self.participation.negotiation

    @property
    def stated(self) -> list[DemandPosition]:
        return [p for p in self.positions if p.statement is not None]

    @property
    def card(self) -> PartyCard:
        return PartyCard(self.party, self.positions)


@dataclass(frozen=True)
class PartyAcross:
    """A party across every negotiation it takes part in, grouped by negotiation."""

    party: Party
    as_of: dt.date
    talks: list[TalksPositions]

    @property
    def stated(self) -> list[DemandPosition]:
        return [p for t in self.talks for p in t.stated]

    def summary(self, limit: int = 280) -> str:
        return _summary(self.party, [p for t in self.talks for p in t.positions], limit)


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


def participation_in(session: Session, negotiation_id: int, party_id: int) -> Participation | None:
    return session.scalar(
        select(Participation).where(
            Participation.negotiation_id == negotiation_id, Participation.party_id == party_id
        )
    )


def party_participations(session: Session, party_id: int) -> list[Participation]:
    """The negotiations a party takes part in, with its role, in the negotiations' order."""
    return list(
        session.scalars(
            select(Participation)
            .join(Negotiation, Negotiation.id == Participation.negotiation_id)
            .where(Participation.party_id == party_id)
            .order_by(Negotiation.display_order, Negotiation.id)
            .options(joinedload(Participation.negotiation))
        )
    )


def roles_by_party(session: Session) -> dict[int, list[Participation]]:
    """Every party's participations with their negotiations, for the list of parties: one
    query."""
    found: dict[int, list[Participation]] = defaultdict(list)
    rows = session.scalars(
        select(Participation)
        .join(Negotiation, Negotiation.id == Participation.negotiation_id)
        .order_by(Negotiation.display_order, Negotiation.id)
        .options(joinedload(Participation.negotiation))
    )
    for participation in rows:
        found[participation.party_id].append(participation)
    return found


def _positions(
    session: Session,
    party: Party,
    as_of: dt.date,
    negotiation_ids: list[int],
    recorded: dt.date | None = None,
) -> list[DemandPosition]:
    """The party's position on each demand of these negotiations, with how it moved: two
    queries whatever the number of statements (with `recorded`: as recorded at its end)."""
    moment = end_of_day(recorded) if recorded else None
    demands = list(
        session.scalars(
            select(Demand)
            .join(Negotiation, Negotiation.id == Demand.negotiation_id)
            .where(Demand.negotiation_id.in_(negotiation_ids))
            .order_by(Negotiation.display_order, Negotiation.id, Demand.display_order, Demand.id)
        )
    )
    histories: dict[int, list[HistoryEntry]] = defaultdict(list)
    for entry in position_histories(
        session, as_of, party_ids=[party.id], demand_ids=[d.id for d in demands], recorded=moment
    ):
        histories[entry.statement.demand_id].append(entry)
    # The position is the history's latest entry: the same rule (the latest public statement
    # on or before the date, by date then id), so no second query.
    return [DemandPosition(demand, tuple(histories.get(demand.id, ()))) for demand in demands]


def party_page(
    session: Session,
    party: Party,
    participation: Participation,
    as_of: dt.date,
    recorded: dt.date | None = None,
) -> PartyPage:
    """The party within one negotiation, in two queries whatever the number of statements."""
    positions = _positions(session, party, as_of, [participation.negotiation_id], recorded)
    return PartyPage(party=party, participation=participation, as_of=as_of, positions=positions)


def party_across(
    session: Session, party: Party, as_of: dt.date, recorded: dt.date | None = None
) -> PartyAcross:
    """The party in every negotiation it takes part in: three queries whatever the data."""
    taking_part = party_participations(session, party.id)
    positions = _positions(session, party, as_of, [p.negotiation_id for p in taking_part], recorded)
    by_talks: dict[int, list[DemandPosition]] = defaultdict(list)
    for p in positions:
        by_talks[p.demand.negotiation_id].append(p)
    return PartyAcross(
        party=party,
        as_of=as_of,
        talks=[TalksPositions(party, t, by_talks.get(t.negotiation_id, [])) for t in taking_part],
    )
