"""Reads for the demand pages: every participant of a demand's negotiation on it, over time, and
the gaps between them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from app.charts import Chart, Level, OffMark, Series, Step, step_chart
from app.dates import format_date
from app.models import Demand, Negotiation, Participation, Party, Statement
from app.positions import HistoryEntry, position_histories, with_positions
from app.records import end_of_day
from app.stances import SCALE, OffScale, Stance, gap, spread_over_time

STANCE_LEVELS = [Level(stance.value, stance.label) for stance in SCALE]


@dataclass(frozen=True)
class PartyLine:
    party: Party
    statement: Statement | None
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def stance(self) -> Stance | None:
        if self.statement is None or self.statement.stance is None:
            return None
        return Stance(self.statement.stance)

    @property
    def conditional(self) -> bool:
        return self.statement is not None and any(
            e.conditional for e in self.history if e.statement.id == self.statement.id
        )


@dataclass(frozen=True)
class PairGap:
    """The gap between two parties now, and what it was when both first had a position."""

    first: Party
    second: Party
    now: int | None
    then: int | None
    then_on: dt.date | None
    # then_on at the precision of the statement that made the gap measurable ("June 2024").
    then_label: str | None
    moves: int

    @property
    def movement(self) -> str:
        if self.now is None or self.then is None:
            return "not comparable: one of them has no stated position"
        if self.now < self.then:
            return f"narrowed by {self.then - self.now}"
        if self.now > self.then:
            return f"widened by {self.now - self.then}"
        return "unchanged"


@dataclass(frozen=True)
class DemandPage:
    demand: Demand
    as_of: dt.date
    lines: list[PartyLine]
    gaps: list[PairGap]
    chart: Chart
    full_range: bool = False


def demand_in(session: Session, negotiation_id: int, slug: str) -> Demand | None:
    """A negotiation's demand by slug: slugs are unique within a negotiation only."""
    return session.scalar(
        select(Demand).where(Demand.negotiation_id == negotiation_id, Demand.slug == slug)
    )


def negotiations_with_demand(session: Session, slug: str) -> list[Negotiation]:
    """The negotiations having a demand of this slug (where an old `/demands/{slug}` may go)."""
    return list(
        session.scalars(
            select(Negotiation)
            .join(Demand, Demand.negotiation_id == Negotiation.id)
            .where(Demand.slug == slug)
            .order_by(Negotiation.display_order, Negotiation.id)
        )
    )


def _label(entry: HistoryEntry) -> str:
    """A point's words: "accepts (partial), reported, June 2025 (shift)"."""
    statement = entry.statement
    return (
        entry.reading.words()
        + (", reported" if statement.is_reported else "")
        + f", {format_date(statement.stated_on, statement.stated_on_precision)}"
        + (" (shift)" if entry.is_shift else "")
    )


def stance_steps(history: list[HistoryEntry], statement_href: Callable[[int], str]) -> list[Step]:
    """The chart's steps: stances on the scale only (an off-scale answer has no height: see
    off_scale_marks), partial and conditional ones marked in words, reported ones too."""
    return [
        Step(
            on=entry.statement.stated_on,
            value=entry.statement.stance,
            label=_label(entry),
            shift=entry.is_shift,
            href=statement_href(entry.statement.id),
            mark=", ".join(
                word
                for word, on in (
                    ("partial", entry.statement.partial),
                    ("conditional", entry.conditional),
                )
                if on
            ),
            reported=entry.statement.is_reported,
        )
        for entry in history
        if entry.statement.stance is not None
    ]


def off_scale_marks(
    history: list[HistoryEntry], statement_href: Callable[[int], str]
) -> list[OffMark]:
    """The off-scale answers of a history, for the chart's row below the scale (issue 18)."""
    marks = []
    for entry in history:
        if entry.statement.off_scale is None:
            continue
        answer = OffScale(entry.statement.off_scale)
        marks.append(
            OffMark(
                on=entry.statement.stated_on,
                kind=answer.label,
                icon=answer.icon,
                label=_label(entry),
                href=statement_href(entry.statement.id),
                reported=entry.statement.is_reported,
            )
        )
    return marks


def pair_gaps(lines: list[PartyLine]) -> list[PairGap]:
    """Every pair of parties: the gap now, and when and how wide it was first measurable."""
    gaps = []
    for a, b in itertools.combinations(lines, 2):
        steps = spread_over_time(
            [
                [(e.statement.stated_on, e.statement.stance) for e in a.history],
                [(e.statement.stated_on, e.statement.stance) for e in b.history],
            ]
        )
        first = steps[0] if steps else None
        precisions = {
            e.statement.stated_on: e.statement.stated_on_precision for e in a.history + b.history
        }
        gaps.append(
            PairGap(
                first=a.party,
                second=b.party,
                now=gap(a.stance, b.stance),
                then=first[1] if first else None,
                then_on=first[0] if first else None,
                then_label=format_date(first[0], precisions[first[0]]) if first else None,
                moves=max(len(steps) - 1, 0),
            )
        )
    # Closest pairs first: where a deal may be. Pairs without a gap go last.
    return sorted(gaps, key=lambda g: (g.now is None, g.now if g.now is not None else 0))


def demand_page(
    session: Session,
    demand: Demand,
    as_of: dt.date,
    statement_href: Callable[[int], str],
    full_range: bool = False,
    recorded: dt.date | None = None,
) -> DemandPage:
    """Everything the demand page shows, in two queries whatever the number of statements.

    The chart's window starts where the story starts and ends soon after its last statement,
    unless `full_range` asks for every day up to `as_of` (app/charts.py). Its parties are its
    negotiation's participants, in their display order (as the matrix's columns): a party of
    other talks has no say on this demand."""
    parties = (
        select(Party)
        .join(Participation, Participation.party_id == Party.id)
        .where(Participation.negotiation_id == demand.negotiation_id)
        .order_by(Participation.display_order, Party.name)
    )
    moment = end_of_day(recorded) if recorded else None
    query, position = with_positions(
        session.get_bind().dialect.name, parties, Party.id, literal(demand.id), as_of, moment
    )
    rows = session.execute(query.add_columns(position)).all()

    histories: dict[int, list[HistoryEntry]] = defaultdict(list)
    for entry in position_histories(session, as_of, demand_ids=[demand.id], recorded=moment):
        histories[entry.statement.party_id].append(entry)

    lines = [PartyLine(party, statement, histories.get(party.id, [])) for party, statement in rows]
    stated = [line for line in lines if line.history]
    steps = {line.party.id: stance_steps(line.history, statement_href) for line in stated}
    off = {line.party.id: off_scale_marks(line.history, statement_href) for line in stated}
    chart = step_chart(
        [
            Series(
                line.party.short_name, line.party.colour, steps[line.party.id], off[line.party.id]
            )
            for line in stated
        ],
        STANCE_LEVELS,
        end=as_of,
        full_range=full_range,
        end_label="today" if as_of == dt.date.today() else f"as of {format_date(as_of)}",
        title=f"Stances on “{demand.title}” over time, up to {format_date(as_of)}",
        description=(
            "; ".join(
                # Every statement in order, off-scale answers included: the text alternative
                # says what the row below the scale shows.
                f"{line.party.name}: " + ", then ".join(_label(entry) for entry in line.history)
                for line in stated
            )
            or "No party has stated a position on this demand by this date."
        ),
    )
    return DemandPage(
        demand=demand,
        as_of=as_of,
        lines=lines,
        gaps=pair_gaps(lines),
        chart=chart,
        full_range=full_range,
    )
