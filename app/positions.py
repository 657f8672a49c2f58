"""'Position as of a date': the latest non-retracted statement per (party, demand) on or before it.

Every page that shows positions builds on these, so the rule lives in one place. The shape is a
correlated `ORDER BY stated_on DESC, id DESC LIMIT 1` per (party, demand), which PostgreSQL and
SQLite both answer with one probe of ix_statement_position: the cost depends on the number of
cells, never on the number of statements (docs/design.md, "The matrix query").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from itertools import groupby
from typing import Any, NamedTuple, TypeVarTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ColumnExpressionArgument,
    Date,
    Integer,
    Select,
    bindparam,
    exists,
    func,
    select,
    true,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, aliased

from app.evidence import Evidence
from app.models import Demand, Party, Source, Statement, StatementCondition, StatementRecord
from app.models.base import UTCDateTime
from app.records import valid_at
from app.stances import Reading, shift_from, shift_words

# A moment (the end of a recorded day, app/records.end_of_day) or a bound parameter holding one:
# positions "as recorded" then, read from statement_record. None: the statements as they are.
Recorded = dt.datetime | BindParameter[dt.datetime] | None

# How many statements a history shows per (party, demand): the recent moves, and a bound on the
# page whatever the table holds; the timeline, filtered to the party and demand, has them all.
HISTORY_PER_LINE = 12

# The columns of the query that with_positions joins to: they come back as they went in.
Row = TypeVarTuple("Row")


def latest_statement(
    party_id: ColumnExpressionArgument[int] | int,
    demand_id: ColumnExpressionArgument[int] | int,
    as_of: dt.date | BindParameter[dt.date],
    *columns: str,
    on_scale: bool = False,
    recorded: Recorded = None,
) -> Select[Any]:
    """One row: the position of (party, demand) as of `as_of` (its `columns`, or the whole row);
    with `recorded`, as readers were shown it at that moment (the same rule over the records
    valid then: one probe of ix_statement_record_position).

    It reads an alias of `statement` (or of statement_record), so it can be correlated from a
    query that itself selects statements without the two being confused.
    """
    probe: Any
    shown: list[ColumnElement[bool]]
    if recorded is None:
        probe = aliased(Statement, name="probe")
        shown = [probe.retracted_at.is_(None), probe.published_at.is_not(None)]
    else:
        probe = aliased(StatementRecord, name="probe")
        shown = [valid_at(probe, recorded)]
    selected = [getattr(probe, c) for c in columns] if columns else [probe]
    query = select(*selected).where(
        probe.party_id == party_id,
        probe.demand_id == demand_id,
        probe.stated_on <= as_of,
        *shown,
    )
    if on_scale:
        # What a shift is measured from: off-scale answers are skipped (app.stances.shift_from).
        query = query.where(probe.stance.is_not(None))
    return query.order_by(probe.stated_on.desc(), probe.id.desc()).limit(1)


def with_positions(
    dialect: str,
    query: Select[*Row],
    party_id: ColumnExpressionArgument[int],
    demand_id: ColumnExpressionArgument[int],
    as_of: dt.date | BindParameter[dt.date],
    recorded: Recorded = None,
) -> tuple[Select[*Row], type[Statement]]:
    """Join each row of `query` (which has a party and a demand) to its position as of a date
    (with `recorded`: as recorded at that moment).

    `dialect` is the database's kind (`session.get_bind().dialect.name`). Returns the query and
    the Statement entity to select from it (None where no position): with `recorded`, a
    StatementRecord, which reads as the statement it shows.
    """
    entity: Any = Statement if recorded is None else StatementRecord
    if dialect == "postgresql":
        # LATERAL returns the row from the index probe itself. A join on a correlated scalar
        # subquery gets flattened into a hash join over the whole statement table instead.
        latest = latest_statement(party_id, demand_id, as_of, recorded=recorded).lateral("position")
        return query.outerjoin(latest, true()), aliased(entity, latest)
    # SQLite has no LATERAL; it plans this as the same probe plus a rowid lookup.
    key = "id" if recorded is None else "record_id"
    latest_id = latest_statement(
        party_id, demand_id, as_of, key, recorded=recorded
    ).scalar_subquery()
    return query.outerjoin(entity, getattr(entity, key) == latest_id), entity


class SourceLine(NamedTuple):
    """What a history shows of a statement's source."""

    id: int
    title: str
    publisher: str
    url: str


class HistoryStatement(NamedTuple):
    """What a history shows of a statement: plain row values, several times cheaper to load
    than ORM objects, and a value the rendered HTML can be kept by (app/matrix/cells.py)."""

    id: int
    party_id: int
    demand_id: int
    stance: int | None
    stated_on: dt.date
    stated_on_precision: str
    speaker: str | None
    summary: str
    source_id: int
    off_scale: str | None
    partial: bool
    scope_note: str | None
    alternative_to_id: int | None
    evidence: str | None
    # The latest public correction (issue 19), marked on the history entry.
    corrected_at: dt.datetime | None
    correction_note: str | None
    source: SourceLine

    @property
    def is_reported(self) -> bool:
        return self.evidence is not None and Evidence(self.evidence).reported


# The statement (or record) columns a HistoryStatement holds, in its order; the source follows.
HISTORY_COLUMNS = HistoryStatement._fields[:-1]
SOURCE_ID = HISTORY_COLUMNS.index("source_id")


class HistoryEntry(NamedTuple):
    """A statement in a party's history on a demand, and whether it moved the party's stance.

    A tuple of values (the shift worked out once, when the history is built), so that a page
    can keep a history's HTML by it."""

    statement: HistoryStatement
    # The stance of the party's last on-scale statement before this one on the same demand
    # (None: first, or only off-scale answers before it).
    previous_stance: int | None
    # On the oldest entry shown: older statements exist beyond the history's bound.
    has_earlier: bool = False
    # Whether that earlier statement held in part only (issue 18).
    previous_partial: bool = False
    # Whether this statement carries "only if" conditions (one query for the whole history).
    conditional: bool = False
    is_shift: bool = False

    @property
    def previous_reading(self) -> Reading | None:
        if self.previous_stance is None:
            return None
        return Reading(self.previous_stance, partial=self.previous_partial)

    @property
    def reading(self) -> Reading:
        return reading_of(self.statement, self.conditional)

    @property
    def shift_words(self) -> str:
        """ "Changed: was rejects → open / conditional (partial)" (only for a shift)."""
        previous = self.previous_reading
        assert previous is not None
        return shift_words(previous, self.reading)


def reading_of(statement: Any, conditional: bool | None = None) -> Reading:
    """A statement in the terms of the gap and shift rules. `conditional` when known without
    loading conditions (the pages load them in one query per page: conditions_of)."""
    if conditional is None:
        if isinstance(statement, Statement):
            state = sa_inspect(statement)
            conditional = "conditions" not in state.unloaded and bool(statement.conditions)
        else:
            conditional = bool(getattr(statement, "conditional", False))
    return Reading(statement.stance, statement.partial, conditional, statement.off_scale)


def conditions_of(
    session: Session, statement_ids: Sequence[int]
) -> dict[int, list[StatementCondition]]:
    """The conditions of many statements in one query, with their demands and parties' names."""
    if not statement_ids:
        return {}
    found: dict[int, list[StatementCondition]] = {}
    query = (
        select(StatementCondition, Demand.title, Demand.slug, Party.name, Party.slug)
        .join(Demand, Demand.id == StatementCondition.demand_id)
        .outerjoin(Party, Party.id == StatementCondition.party_id)
        .where(StatementCondition.statement_id.in_(list(statement_ids)))
        .order_by(StatementCondition.statement_id, StatementCondition.id)
    )
    for condition, demand_title, demand_slug, party_name, party_slug in session.execute(query):
        condition.party_slug = party_slug  # type: ignore[attr-defined]
        condition.demand_title = demand_title  # type: ignore[attr-defined]
        condition.demand_slug = demand_slug  # type: ignore[attr-defined]
        condition.party_name = party_name  # type: ignore[attr-defined]
        found.setdefault(condition.statement_id, []).append(condition)
    return found


@cache
def histories_query(
    dialect: str, *, by_party: bool, by_demand: bool, recorded: bool
) -> Select[Any]:
    """`position_histories`' query, run with `:as_of`, `:wanted` (statements per line),
    `:party_ids` and `:demand_ids` (when filtered by them) and `:recorded` (a moment).

    Built once per shape and run with parameters, as the matrix's cells query is: building it
    anew (a lateral subquery over an alias of a wide table) was about a fifth of a party
    page's time on a cache miss (bench/README.md)."""
    as_of = bindparam("as_of", type_=Date)
    wanted = bindparam("wanted", type_=Integer)
    party_ids = bindparam("party_ids", expanding=True, type_=Integer)
    demand_ids = bindparam("demand_ids", expanding=True, type_=Integer)
    moment = bindparam("recorded", type_=UTCDateTime)
    entity: Any = StatementRecord if recorded else Statement
    # A record's `id` is its statement's; `record_id` is the row's own key.
    key = "record_id" if recorded else "id"

    def shown(row: Any) -> list[ColumnElement[bool]]:
        if recorded:
            return [valid_at(row, moment)]
        return [row.retracted_at.is_(None), row.published_at.is_not(None)]

    if dialect == "postgresql":
        # One LATERAL probe of the position index per (party, demand): the cost follows the
        # number of lines shown, not the number of statements.
        line = select(Party.id.label("party_id"), Demand.id.label("demand_id")).join(Demand, true())
        if by_party:
            line = line.where(Party.id.in_(party_ids))
        if by_demand:
            line = line.where(Demand.id.in_(demand_ids))
        lines = line.subquery("line")
        probe = aliased(entity, name="probe")
        recent = (
            select(getattr(probe, key))
            .where(
                probe.party_id == lines.c.party_id,
                probe.demand_id == lines.c.demand_id,
                probe.stated_on <= as_of,
                *shown(probe),
            )
            .order_by(probe.stated_on.desc(), probe.id.desc())
            .limit(wanted)
            .lateral("recent")
        )
        ids = select(recent.c[key]).select_from(lines).join(recent, true())
    else:
        # SQLite has no LATERAL: a window over the statements of the parties (or demands) asked
        # for, which the position index narrows to them.
        order = (entity.stated_on.desc(), entity.id.desc())
        rank = func.row_number().over(
            partition_by=(entity.party_id, entity.demand_id), order_by=order
        )
        ranked = select(getattr(entity, key), rank.label("rank")).where(
            entity.stated_on <= as_of, *shown(entity)
        )
        if by_party:
            ranked = ranked.where(entity.party_id.in_(party_ids))
        if by_demand:
            ranked = ranked.where(entity.demand_id.in_(demand_ids))
        window = ranked.subquery("ranked")
        ids = select(window.c[key]).where(window.c.rank <= wanted)
    return (
        select(
            *(getattr(entity, name) for name in HISTORY_COLUMNS),
            Source.title,
            Source.publisher,
            Source.url,
            # Whether it carries "only if" conditions: a record stores it; a statement's is an
            # index probe per row, in this query rather than a second one listing every id.
            entity.conditional
            if recorded
            else exists().where(StatementCondition.statement_id == entity.id),
        )
        .join(Source, Source.id == entity.source_id)
        .where(getattr(entity, key).in_(ids))
        .order_by(entity.party_id, entity.demand_id, entity.stated_on, entity.id)
    )


def position_histories(
    session: Session,
    as_of: dt.date,
    *,
    party_ids: Sequence[int] | None = None,
    demand_ids: Sequence[int] | None = None,
    per_line: int = HISTORY_PER_LINE,
    recorded: dt.datetime | None = None,
) -> list[HistoryEntry]:
    """Each (party, demand)'s latest `per_line` statements up to `as_of`, oldest first (with
    `recorded`: of the records valid at that moment).

    One query fetches one statement more per line than is shown: the one before the oldest
    shown, so that even the oldest is marked as a shift or not. Retracted statements are left
    out, as they are from positions. The rows are plain values (HistoryStatement).
    """
    wanted = per_line + 1
    query = histories_query(
        session.get_bind().dialect.name,
        by_party=party_ids is not None,
        by_demand=demand_ids is not None,
        recorded=recorded is not None,
    )
    parameters: dict[str, Any] = {"as_of": as_of, "wanted": wanted}
    if party_ids is not None:
        parameters["party_ids"] = list(party_ids)
    if demand_ids is not None:
        parameters["demand_ids"] = list(demand_ids)
    if recorded is not None:
        parameters["recorded"] = recorded
    width = len(HISTORY_COLUMNS)
    loaded: list[HistoryStatement] = []
    conditional: set[int] = set()
    for row in session.execute(query, parameters):
        source = SourceLine(row[SOURCE_ID], row[width], row[width + 1], row[width + 2])
        statement = HistoryStatement._make((*row[:width], source))
        loaded.append(statement)
        if row[width + 3]:
            conditional.add(statement.id)
    return _entries(loaded, wanted, conditional)


def _entries(
    loaded: list[HistoryStatement], wanted: int, conditional: set[int]
) -> list[HistoryEntry]:
    """Statements ordered by line and date as history entries, each marked with the stance
    before it; `wanted` is one more than shown per line."""
    entries: list[HistoryEntry] = []
    for _, group in groupby(loaded, key=lambda s: (s.party_id, s.demand_id)):
        statements = list(group)
        # The extra, older statement only tells whether the oldest shown one is a shift.
        truncated = len(statements) == wanted
        first = statements.pop(0) if truncated else None
        previous = first.stance if first is not None else None
        previous_partial = (
            first.partial if first is not None and first.stance is not None else False
        )
        for index, statement in enumerate(statements):
            is_conditional = statement.id in conditional
            was = None if previous is None else Reading(previous, partial=previous_partial)
            now = reading_of(statement, is_conditional)
            entries.append(
                HistoryEntry(
                    statement,
                    previous,
                    has_earlier=truncated and index == 0,
                    previous_partial=previous_partial,
                    conditional=is_conditional,
                    is_shift=shift_from(was, now) is not None,
                )
            )
            # Off-scale answers are skipped: the next shift is measured from the last stance.
            if statement.stance is not None:
                previous, previous_partial = statement.stance, statement.partial
    return entries
