"""The matrix of one negotiation: its demands × its participants, each cell the position as of
a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    ScalarSelect,
    Select,
    bindparam,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased, joinedload
from starlette.requests import Request

from app.caching import PerDataVersion
from app.evidence import Evidence
from app.models import Demand, Participation, Party, Statement, StatementCondition, StatementRecord
from app.models.base import UTCDateTime
from app.positions import latest_statement, with_positions
from app.records import end_of_day, valid_at
from app.stances import STANCE_OF, OffScale, Reading, Stance, shift_from, shift_words


class Position(NamedTuple):
    """What a matrix cell shows of the statement behind it (rows, not ORM objects: 10× cheaper)."""

    id: int
    stance: int | None
    stated_on: dt.date
    stated_on_precision: str
    speaker: str | None
    summary: str
    # Issue 18: the qualifiers a cell shows in words.
    off_scale: str | None = None
    partial: bool = False
    scope_note: str | None = None
    alternative_to_id: int | None = None
    # evidence (issue 18 item 3): how the source knows; anonymous or second-hand is "reported".
    evidence: str | None = None
    # Corrections (issue 19): the latest public correction, marked on the cell.
    corrected_at: dt.datetime | None = None
    correction_note: str | None = None
    # Not columns of the statement: probes in the cells query (keep these two last,
    # STORED_FIELDS).
    conditional: bool = False
    in_offer: bool = False

    @property
    def reading(self) -> Reading:
        return Reading(self.stance, self.partial, self.conditional, self.off_scale)

    @property
    def off_scale_value(self) -> OffScale | None:
        return OffScale(self.off_scale) if self.off_scale else None

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
    previous_partial: bool = False

    @property
    def stance(self) -> Stance | None:
        if self.statement is None or self.statement.stance is None:
            return None
        return STANCE_OF[self.statement.stance]

    @property
    def shift_words(self) -> str | None:
        """In words, for a shift between two stances: "Changed: was rejects → accepts (partial)"."""
        if self.statement is None or self.previous_stance is None:
            return None
        previous = Reading(int(self.previous_stance), self.previous_partial)
        return shift_words(previous, self.statement.reading)


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
    # Issue 18: both ends in words, qualifiers included ("open / conditional (partial)").
    was_words: str = ""
    now_words: str = ""
    # An off-scale answer is a position shown (new, when nothing was before) but never a shift.
    now_stated: bool = False

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
    # The day whose end the positions are as recorded at (`?recorded=`), or None: as they are.
    recorded: dt.date | None = None

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
                was = cell.previous_stance
                change = Change(
                    cell.party,
                    cell.demand,
                    was,
                    cell.stance,
                    Reading(int(was), cell.previous_partial).words() if was is not None else "",
                    cell.statement.reading.words() if cell.statement is not None else "",
                    cell.statement is not None,
                )
                if change.is_shift:
                    shifts.append(change)
                elif change.now_stated:
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
def cells_query(dialect: str, with_since: bool, recorded: bool = False) -> Select[*tuple[Any, ...]]:
    """Every (participant, demand) of `:negotiation` with the Position shown as of `:as_of`, and
    its stance at `:since`; with `recorded`, both as recorded at the moment `:recorded`.

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
    moment = bindparam("recorded", type_=UTCDateTime) if recorded else None
    query: Select[*tuple[Any, ...]]
    query, position = with_positions(
        dialect, cells, Participation.party_id, Demand.id, as_of, recorded=moment
    )
    query = query.add_columns(*(getattr(position, name) for name in STORED_FIELDS))
    # Whether the statement shown carries "only if" conditions, and whether another statement
    # is offered as the other option to it: an index probe each, in this query rather than two
    # more listing every statement shown. Each is a correlated LIMIT 1 subquery (`_any`): with
    # EXISTS the planner scanned every statement in a subplan (tests/matrix/test_plan.py).
    if recorded:
        # A record stores whether its statement had conditions then.
        record: Any = position
        other_record = aliased(StatementRecord, name="offer")
        query = query.add_columns(
            record.conditional,
            _any(other_record.alternative_to_id == position.id, valid_at(other_record, moment)),
        )
    else:
        other = aliased(Statement, name="offer")
        query = query.add_columns(
            _any(StatementCondition.statement_id == position.id),
            _any(other.alternative_to_id == position.id),
        )
    if with_since:
        since = bindparam("since", type_=Date)
        # Measured from the last stance on the scale: off-scale answers are no shift.
        since_row = latest_statement(
            Participation.party_id, Demand.id, since, "stance", on_scale=True, recorded=moment
        )
        query = query.add_columns(since_row.scalar_subquery())
        partial_row = latest_statement(
            Participation.party_id, Demand.id, since, "partial", on_scale=True, recorded=moment
        )
        query = query.add_columns(partial_row.scalar_subquery())
    return query


def _any(*where: ColumnElement[bool]) -> ScalarSelect[int]:
    """1 when some row matches, else NULL: one index probe, stopped at the first row."""
    return select(literal(1)).where(*where).limit(1).scalar_subquery()


# The Position's columns read from the statement row; the last two (conditional, in an offer)
# are probes of the cells query.
STORED_FIELDS = Position._fields[:-2]
_WIDTH = len(STORED_FIELDS)
_ALTERNATIVE = STORED_FIELDS.index("alternative_to_id")


class Headings(NamedTuple):
    """A matrix's columns and rows: its participants and its demands, in the matrix's order."""

    parties: tuple[PartyHeading, ...]
    demands: tuple[DemandHeading, ...]


def matrix_headings(session: Session, negotiation_id: int) -> Headings:
    """The same on every date: the pages kept for one data version share them (app/caching.py,
    PerDataVersion)."""
    party_columns = (getattr(Party, name) for name in PartyHeading._fields)
    parties = tuple(
        PartyHeading(*row)
        for row in session.execute(
            select(*party_columns)
            .join(Participation, Participation.party_id == Party.id)
            .where(Participation.negotiation_id == negotiation_id)
            .order_by(*PARTICIPANT_ORDER)
        )
    )
    demand_columns = (getattr(Demand, name) for name in DemandHeading._fields)
    demands = tuple(
        DemandHeading(*row)
        for row in session.execute(
            select(*demand_columns)
            .where(Demand.negotiation_id == negotiation_id)
            .order_by(*DEMAND_ORDER)
        )
    )
    return Headings(parties, demands)


def kept_headings(request: Request, session: Session, negotiation_id: int) -> Headings:
    """`matrix_headings`, kept for the data version of a page the render cache serves (read
    afresh for everyone else): a matrix for a date nobody asked for yet reads only its cells."""
    per_version: PerDataVersion = request.app.state.per_data_version
    return per_version.get(
        request.scope,
        ("matrix headings", negotiation_id),
        lambda: matrix_headings(session, negotiation_id),
    )


def matrix_as_of(
    session: Session,
    negotiation_id: int,
    as_of: dt.date,
    since: dt.date | None = None,
    recorded: dt.date | None = None,
    *,
    headings: Headings | None = None,
) -> Matrix:
    """One negotiation's matrix in three queries, whatever the number of statements (one, given
    its `headings`); with `recorded`, as the tracker showed it at the end of that day (as many
    queries)."""
    if headings is None:
        headings = matrix_headings(session, negotiation_id)
    parties, demands = headings
    found = {}
    query = cells_query(
        session.get_bind().dialect.name, with_since=since is not None, recorded=bool(recorded)
    )
    moment = end_of_day(recorded) if recorded else None
    # One result row per (party, demand); the matrix's `Row`s are built from them below.
    parameters = {"negotiation": negotiation_id, "as_of": as_of, "since": since}
    if moment is not None:
        parameters["recorded"] = moment
    for cell in session.execute(query, parameters):
        shown = None
        if cell[2] is not None:
            conditional, offered = cell[2 + _WIDTH], cell[3 + _WIDTH]
            # In an offer: one of its options, this one or the other pointing to it.
            in_offer = bool(offered) or cell[2 + _ALTERNATIVE] is not None
            shown = Position._make((*cell[2 : 2 + _WIDTH], bool(conditional), in_offer))
        since_cells = cell[4 + _WIDTH :] if since is not None else (None, None)
        found[cell[0], cell[1]] = (shown, since_cells)
    matrix = Matrix(
        negotiation_id=negotiation_id,
        as_of=as_of,
        since=since,
        parties=list(parties),
        recorded=recorded,
    )
    for demand in demands:
        row = Row(demand=demand, cells=[])
        for party in parties:
            statement, (since_stance, since_partial) = found.get(
                (party.id, demand.id), (None, (None, None))
            )
            previous = STANCE_OF[since_stance] if since_stance is not None else None
            row.cells.append(
                Cell(
                    party=party,
                    demand=demand,
                    statement=statement,
                    changed=since is not None and _changed(statement, since_stance, since_partial),
                    previous_stance=previous,
                    previous_partial=bool(since_partial),
                )
            )
        matrix.rows.append(row)
    return matrix


def _changed(now: Position | None, since_stance: int | None, since_partial: bool | None) -> bool:
    """Marked changed: a shift (app.stances.shift_from), a new position, or one gone."""
    if now is None or since_stance is None:
        return (now is None) != (since_stance is None)
    if now.stance is None:
        return False  # an off-scale answer after a stance: shown, but not a shift
    return shift_from(Reading(since_stance, bool(since_partial)), now.reading) is not None
