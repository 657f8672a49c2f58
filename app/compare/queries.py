"""Reads for the compare page: two or more participants of one negotiation side by side on each
of its demands, and their gaps over time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from app.charts import Chart, Level, Series, Step, step_chart
from app.dates import format_date
from app.models import Demand, Party, Statement
from app.positions import HistoryEntry, position_histories, with_positions
from app.records import end_of_day
from app.stances import MAX_GAP, Stance, spread, spread_over_time

GAP_WORDS = {0: "together", MAX_GAP: "opposite ends"}
GAP_LEVELS = [
    Level(value, f"{value} · {GAP_WORDS.get(value, 'apart')}") for value in range(MAX_GAP, -1, -1)
]


@dataclass(frozen=True)
class CompareRow:
    demand: Demand
    # One per compared party, in the order the parties were given.
    statements: list[Statement | None]
    gap: int | None
    first_gap: int | None
    first_label: str | None
    chart: Chart

    @property
    def moved(self) -> bool:
        """Whether the gap ever changed: a chart of a flat line says less than one sentence."""
        return sum(len(line.points) for line in self.chart.lines) > 1

    @property
    def stances(self) -> list[Stance | None]:
        return [Stance(s.stance) if s and s.stance is not None else None for s in self.statements]

    @property
    def movement(self) -> str:
        if self.gap is None or self.first_gap is None:
            return "not comparable yet"
        if self.gap < self.first_gap:
            return f"narrowed by {self.first_gap - self.gap}"
        if self.gap > self.first_gap:
            return f"widened by {self.gap - self.first_gap}"
        return "unchanged"


@dataclass(frozen=True)
class Comparison:
    parties: list[Party]
    as_of: dt.date
    rows: list[CompareRow]


def comparison(
    session: Session,
    negotiation_id: int,
    parties: Sequence[Party],
    as_of: dt.date,
    statement_href: Callable[[int], str],
    recorded: dt.date | None = None,
) -> Comparison:
    """The parties on every demand of the negotiation, closest first, in two queries whatever
    the data. The parties are its participants (the route checks)."""
    ids = [party.id for party in parties]
    cells = (
        select(Demand, Party.id)
        .select_from(Demand)
        .join(Party, true())
        .where(Party.id.in_(ids), Demand.negotiation_id == negotiation_id)
        .order_by(Demand.display_order, Demand.id)
    )
    moment = end_of_day(recorded) if recorded else None
    query, position = with_positions(
        session.get_bind().dialect.name, cells, Party.id, Demand.id, as_of, moment
    )
    found: dict[int, dict[int, Statement | None]] = defaultdict(dict)
    demands: dict[int, Demand] = {}
    for demand, party_id, statement in session.execute(query.add_columns(position)):
        demands[demand.id] = demand
        found[demand.id][party_id] = statement

    histories: dict[tuple[int, int], list[HistoryEntry]] = defaultdict(list)
    for entry in position_histories(
        session, as_of, party_ids=ids, demand_ids=list(demands), recorded=moment
    ):
        histories[(entry.statement.party_id, entry.statement.demand_id)].append(entry)

    names = " and ".join(party.name for party in parties)
    rows = []
    for demand in demands.values():
        statements = [found[demand.id].get(party_id) for party_id in ids]
        lines = [
            [(e.statement.stated_on, e.statement.stance) for e in histories[(party_id, demand.id)]]
            for party_id in ids
        ]
        precisions = {
            e.statement.stated_on: e.statement.stated_on_precision
            for party_id in ids
            for e in histories[(party_id, demand.id)]
        }
        moves = spread_over_time(lines)
        labels = [format_date(day, precisions[day]) for day, _ in moves]
        steps = [
            Step(on=day, value=value, label=f"gap {value} from {label}", shift=index > 0)
            for index, ((day, value), label) in enumerate(zip(moves, labels, strict=True))
        ]
        chart = step_chart(
            [Series("Gap", "#6a3d9a", steps)],
            GAP_LEVELS,
            end=as_of,
            height=190,
            title=f"Gap between {names} on “{demand.title}” over time",
            description=(
                "; ".join(step.label for step in steps)
                if steps
                else "Not every party has stated a position on this demand by this date."
            ),
        )
        rows.append(
            CompareRow(
                demand=demand,
                statements=statements,
                gap=spread([s.stance if s else None for s in statements]),
                first_gap=moves[0][1] if moves else None,
                first_label=labels[0] if labels else None,
                chart=chart,
            )
        )
    # Where they are closest first: that is where a deal may be. No gap (silence) goes last.
    rows.sort(key=lambda row: (row.gap is None, row.gap if row.gap is not None else 0))
    return Comparison(parties=list(parties), as_of=as_of, rows=rows)
