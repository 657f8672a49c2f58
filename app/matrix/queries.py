"""The matrix of one negotiation: its demands × its participants, each cell the position as of
a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from app.evidence import Evidence
from app.models import Demand, Participation, Party
from app.positions import latest_statement, with_positions
from app.stances import STANCE_OF, Stance


class Position(NamedTuple):
    """What a matrix cell shows of the statement behind it (rows, not ORM objects: 10× cheaper)."""

    id: int
    stance: int
    stated_on: dt.date
    stated_on_precision: str
    speaker: str | None
    summary: str
    # evidence (issue 18 item 3): how the source knows; anonymous or second-hand is "reported".
    evidence: str | None = None

    @property
    def reported(self) -> bool:
        return self.evidence is not None and Evidence(self.evidence).reported


class PartyHeading(NamedTuple):
    """What the matrix shows of a party."""

    id: int
    slug: str
    name: str
    short_name: str
    colour: str


class DemandHeading(NamedTuple):
    """What the matrix shows of a demand."""

    id: int
    slug: str
    title: str


class Cell(NamedTuple):
    """A value holding everything a cell shows, so that its rendered HTML can be kept by it.

    A tuple, not a dataclass: it is a dictionary key 800 times a page, and a tuple's hash and
    equality run in C."""

    party: PartyHeading
    demand: DemandHeading
    statement: Position | None
    # Only meaningful when the matrix is compared with an earlier date (`since`).
    changed: bool = False
    previous_stance: Stance | None = None

    @property
    def stance(self) -> Stance | None:
        return STANCE_OF[self.statement.stance] if self.statement else None


@dataclass(frozen=True)
class Row:
    demand: DemandHeading
    cells: list[Cell]


class Change(NamedTuple):
    """A cell that differs from what it was at `since`: a shift (one stance to another), a new
    position (nothing to a stance) or, after a retraction, a position gone (a stance to nothing)."""

    party: PartyHeading
    demand: DemandHeading
    was: Stance | None
    now: Stance | None

    @property
    def is_shift(self) -> bool:
        return self.was is not None and self.now is not None


@dataclass(frozen=True)
class Changes:
    """What moved between `since` and the matrix's date, for the strip above the matrix: shifts
    first and each in words; new positions counted per party, since a wall of them says less."""

    shifts: list[Change]
    new: list[Change]
    gone: list[Change]

    @property
    def count(self) -> int:
        return len(self.shifts) + len(self.new) + len(self.gone)

    def new_by_party(self) -> list[tuple[PartyHeading, list[Change]]]:
        grouped: dict[PartyHeading, list[Change]] = {}
        for change in self.new:
            grouped.setdefault(change.party, []).append(change)
        return list(grouped.items())


@dataclass
class Matrix:
    negotiation_id: int
    as_of: dt.date
    since: dt.date | None
    parties: list[PartyHeading]
    rows: list[Row] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        return sum(cell.changed for row in self.rows for cell in row.cells)

    @property
    def changes(self) -> Changes:
        """The cells marked changed, sorted into shifts, new positions and positions gone, in the
        matrix's order (demand by demand)."""
        shifts, new, gone = [], [], []
        for row in self.rows:
            for cell in row.cells:
                if not cell.changed:
                    continue
                change = Change(cell.party, cell.demand, cell.previous_stance, cell.stance)
                if change.is_shift:
                    shifts.append(change)
                elif change.now is not None:
                    new.append(change)
                else:
                    gone.append(change)
        return Changes(shifts, new, gone)

    @property
    def stated_count(self) -> int:
        return sum(cell.statement is not None for row in self.rows for cell in row.cells)


PARTY_ORDER = (Party.name,)
DEMAND_ORDER = (Demand.display_order, Demand.id)


def ordered_parties(session: Session) -> list[Party]:
    return list(session.scalars(select(Party).order_by(*PARTY_ORDER)))


def ordered_demands(session: Session) -> list[Demand]:
    # With their negotiations (one join): a demand's page is its negotiation's.
    return list(
        session.scalars(
            select(Demand).order_by(*DEMAND_ORDER).options(joinedload(Demand.negotiation))
        )
    )


# A negotiation's columns: its participants in the order the editors set (parties to the talks
# first, in the demo), then by name.
PARTICIPANT_ORDER = (Participation.display_order, Party.name)


@cache
def cells_query(dialect: str, with_since: bool) -> Select[*tuple[Any, ...]]:
    """Every (participant, demand) of `:negotiation` with the Position shown as of `:as_of`, and
    its stance at `:since`.

    Built once per kind of database and run with parameters: building it (a lateral subquery
    over an alias of a 17-column table) took more CPU than PostgreSQL took to answer it.
    """
    negotiation = bindparam("negotiation", type_=Integer)
    cells = (
        select(Participation.party_id, Demand.id)
        .select_from(Participation)
        .join(Demand, Demand.negotiation_id == Participation.negotiation_id)
        .where(Participation.negotiation_id == negotiation)
    )
    as_of = bindparam("as_of", type_=Date)
    query: Select[*tuple[Any, ...]]
    query, position = with_positions(dialect, cells, Participation.party_id, Demand.id, as_of)
    query = query.add_columns(*(getattr(position, name) for name in Position._fields))
    if with_since:
        since = bindparam("since", type_=Date)
        since_stance = latest_statement(
            Participation.party_id, Demand.id, since, "stance"
        ).scalar_subquery()
        query = query.add_columns(since_stance)
    return query


def matrix_as_of(
    session: Session, negotiation_id: int, as_of: dt.date, since: dt.date | None = None
) -> Matrix:
    """One negotiation's matrix in three queries, whatever the number of statements."""
    party_columns = (getattr(Party, name) for name in PartyHeading._fields)
    parties = [
        PartyHeading(*row)
        for row in session.execute(
            select(*party_columns)
            .join(Participation, Participation.party_id == Party.id)
            .where(Participation.negotiation_id == negotiation_id)
            .order_by(*PARTICIPANT_ORDER)
        )
    ]
    demand_columns = (getattr(Demand, name) for name in DemandHeading._fields)
    demands = [
        DemandHeading(*row)
        for row in session.execute(
            select(*demand_columns)
            .where(Demand.negotiation_id == negotiation_id)
            .order_by(*DEMAND_ORDER)
        )
    ]
    found = {}
    query = cells_query(session.get_bind().dialect.name, with_since=since is not None)
    # One result row per (party, demand); the matrix's `Row`s are built from them below.
    parameters = {"negotiation": negotiation_id, "as_of": as_of, "since": since}
    for cell in session.execute(query, parameters):
        end = 2 + len(Position._fields)
        shown = Position(*cell[2:end]) if cell[2] is not None else None
        found[cell[0], cell[1]] = (shown, cell[end] if since is not None else None)
    matrix = Matrix(negotiation_id=negotiation_id, as_of=as_of, since=since, parties=parties)
    for demand in demands:
        row = Row(demand=demand, cells=[])
        for party in parties:
            statement, since_stance = found.get((party.id, demand.id), (None, None))
            current = statement.stance if statement else None
            previous = STANCE_OF[since_stance] if since_stance is not None else None
            row.cells.append(
                Cell(
                    party=party,
                    demand=demand,
                    statement=statement,
                    changed=since is not None and current != since_stance,
                    previous_stance=previous,
                )
            )
        matrix.rows.append(row)
    return matrix
