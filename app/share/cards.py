"""What a share image and an embed say: the context a cropped screenshot must still carry.

Each card names what it shows, the stances in words (never colour alone), the day it is as of
and how many sources stand behind it, and carries the step chart the page draws where it has
one. Built from the reader pages' own queries, so a card says what its page says: published
statements only (`Statement.is_public()`, in app/positions.py), never a draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.charts import Chart, Series, step_chart
from app.compare.queries import Comparison
from app.dates import format_date
from app.demands.queries import STANCE_LEVELS, DemandPage, stance_steps
from app.models import Demand, Negotiation, Party, Statement
from app.parties.queries import PartyAcross, PartyPage
from app.positions import HistoryEntry, position_histories, reading_of


class HasSource(Protocol):
    @property
    def source_id(self) -> int: ...


# What fits the image: more rows than this and the text would be too small to read in a feed.
MAX_ROWS = 7


@dataclass(frozen=True)
class CardRow:
    """One line of a card: a stance in words beside what it is on ("rejects" · "Ceasefire")."""

    label: str
    words: str
    colour: str = "#5b6470"


@dataclass(frozen=True)
class Card:
    kind: str  # "Party", "Position", "Demand", "Comparison": the kicker above the title
    negotiation: str
    title: str
    as_of: dt.date
    sources: int
    rows: list[CardRow] = field(default_factory=list)
    # Rows that did not fit: said in words, so the image does not pretend to be complete.
    more: int = 0
    chart: Chart | None = None
    colour: str = "#1f4e79"
    # Rows of two lines (what, then the stances) rather than stance · what on one line.
    stacked: bool = False
    # One sentence under the title (the party card's headline), or none.
    summary: str = ""

    @property
    def as_of_words(self) -> str:
        return f"As of {format_date(self.as_of)}"

    @property
    def sources_words(self) -> str:
        return f"{self.sources} source{'s' if self.sources != 1 else ''}"


def sources_of(session: Session, statement_ids: Iterable[int]) -> int:
    """How many sources stand behind these statements: one query (the matrix holds rows, not
    statements with their source)."""
    ids = list(statement_ids)
    if not ids:
        return 0
    return (
        session.scalar(
            select(func.count(distinct(Statement.source_id))).where(Statement.id.in_(ids))
        )
        or 0
    )


def _source_count(statements: Iterable[HasSource | None]) -> int:
    return len({s.source_id for s in statements if s is not None})


def _fitted(rows: list[CardRow], limit: int = MAX_ROWS) -> tuple[list[CardRow], int]:
    return rows[:limit], max(len(rows) - limit, 0)


def party_card(page: PartyPage, negotiation: Negotiation) -> Card:
    """A party in one negotiation: its stance on each demand, stated ones first."""
    stated = [p for p in page.positions if p.statement is not None]
    rows = [
        CardRow(p.demand.title, reading_of(p.statement, p.conditional).words())
        for p in stated
        if p.statement is not None
    ]
    shown, more = _fitted(rows)
    return Card(
        kind="Party",
        negotiation=negotiation.title,
        title=page.party.name,
        summary=page.card.headline(),
        as_of=page.as_of,
        sources=_source_count(p.statement for p in stated),
        rows=shown,
        more=more,
        colour=page.party.colour,
    )


def party_across_card(page: PartyAcross) -> Card:
    """A party in every negotiation it takes part in: its stances, each with its talks."""
    many = len(page.talks) > 1
    rows = [
        CardRow(
            p.demand.title + (f" ({t.negotiation.title})" if many else ""),
            reading_of(p.statement, p.conditional).words(),
        )
        for t in page.talks
        for p in t.stated
        if p.statement is not None
    ]
    shown, more = _fitted(rows)
    return Card(
        kind="Party",
        negotiation=", ".join(t.negotiation.title for t in page.talks) or "no negotiation yet",
        title=page.party.name,
        # One negotiation: its card's sentence ("… rejects 3 terms; no shifts"); with several,
        # the rows say which talks each stance is in.
        summary=page.talks[0].card.headline() if len(page.talks) == 1 else "",
        as_of=page.as_of,
        sources=_source_count(p.statement for p in page.stated),
        rows=shown,
        more=more,
        colour=page.party.colour,
    )


def demand_card(page: DemandPage, negotiation: Negotiation) -> Card:
    """Every participant on one demand, with the demand page's chart."""
    rows = [
        CardRow(
            line.party.name,
            reading_of(line.statement, line.conditional).words()
            if line.statement is not None
            else "no stated position",
            line.party.colour,
        )
        for line in page.lines
    ]
    shown, more = _fitted(rows, 6)
    return Card(
        kind="Demand",
        negotiation=negotiation.title,
        title=page.demand.title,
        as_of=page.as_of,
        sources=_source_count(e.statement for line in page.lines for e in line.history),
        rows=shown,
        more=more,
        chart=page.chart,
    )


@dataclass(frozen=True)
class CellPage:
    """One party on one demand (a cell of the matrix) as of a day: its history and chart."""

    negotiation: Negotiation
    party: Party
    demand: Demand
    as_of: dt.date
    history: list[HistoryEntry]
    chart: Chart

    @property
    def latest(self) -> HistoryEntry | None:
        return self.history[-1] if self.history else None

    @property
    def words(self) -> str:
        latest = self.latest
        return latest.reading.words() if latest else "no stated position"


def cell_page(
    session: Session,
    negotiation: Negotiation,
    party: Party,
    demand: Demand,
    as_of: dt.date,
    statement_href: Callable[[int], str],
) -> CellPage:
    """Two queries: the cell's recent statements and which of them carry conditions."""
    history = position_histories(session, as_of, party_ids=[party.id], demand_ids=[demand.id])
    steps = stance_steps(history, statement_href)
    chart = step_chart(
        [Series(party.short_name, party.colour, steps)] if steps else [],
        STANCE_LEVELS,
        end=as_of,
        full_range=False,
        end_label="today" if as_of == dt.date.today() else f"as of {format_date(as_of)}",
        title=f"{party.name} on “{demand.title}” over time, up to {format_date(as_of)}",
        description=", then ".join(step.label for step in steps)
        or f"{party.name} has stated no position on this demand by this date.",
    )
    return CellPage(negotiation, party, demand, as_of, history, chart)


def cell_card(page: CellPage) -> Card:
    """The cell's stance now and the moves before it, latest first."""
    rows = [
        CardRow(
            format_date(e.statement.stated_on, e.statement.stated_on_precision),
            e.reading.words() + (" (a shift)" if e.is_shift else ""),
            page.party.colour,
        )
        for e in reversed(page.history)
    ]
    shown, more = _fitted(rows, 5)
    return Card(
        kind="Position",
        negotiation=page.negotiation.title,
        title=f"{page.party.name} on “{page.demand.title}”: {page.words}",
        as_of=page.as_of,
        sources=_source_count(e.statement for e in page.history),
        rows=shown,
        more=more,
        chart=page.chart,
        colour=page.party.colour,
    )


def comparison_card(found: Comparison, negotiation: Negotiation) -> Card:
    """Two or more parties on each demand, closest first, their stances in words."""
    names = " and ".join(p.name for p in found.parties)
    rows = []
    for row in found.rows:
        stances = "; ".join(
            f"{party.short_name} {reading_of(s).words() if s is not None else 'silent'}"
            for party, s in zip(found.parties, row.statements, strict=True)
        )
        gap = f"gap {row.gap}" if row.gap is not None else "not comparable yet"
        rows.append(CardRow(row.demand.title, f"{stances} · {gap}"))
    shown, more = _fitted(rows, 6)
    return Card(
        kind="Comparison",
        negotiation=negotiation.title,
        title=names,
        as_of=found.as_of,
        sources=_source_count(s for row in found.rows for s in row.statements),
        rows=shown,
        more=more,
        stacked=True,
    )
