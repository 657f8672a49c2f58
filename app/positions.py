"""'Position as of a date': the latest non-retracted statement per (party, demand) on or before it.

Every page that shows positions builds on these, so the rule lives in one place. The shape is a
correlated `ORDER BY stated_on DESC, id DESC LIMIT 1` per (party, demand), which PostgreSQL and
SQLite both answer with one probe of ix_statement_position: the cost depends on the number of
cells, never on the number of statements (DESIGN.md, "The matrix query").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session, aliased

from app.models import Statement


def latest_statement(
    party_id: ColumnElement[Any] | int,
    demand_id: ColumnElement[Any] | int,
    as_of: dt.date,
    *columns: str,
) -> Select[Any]:
    """One row: the position of (party, demand) as of `as_of` (its `columns`, or the whole row).

    It reads an alias of `statement`, so it can be correlated from a query that itself selects
    statements without the two being confused.
    """
    probe = aliased(Statement, name="probe")
    selected = [getattr(probe, c) for c in columns] if columns else [probe]
    return (
        select(*selected)
        .where(
            probe.party_id == party_id,
            probe.demand_id == demand_id,
            probe.stated_on <= as_of,
            probe.retracted_at.is_(None),
        )
        .order_by(probe.stated_on.desc(), probe.id.desc())
        .limit(1)
    )


def with_positions(
    session: Session,
    query: Select[Any],
    party_id: ColumnElement[Any],
    demand_id: ColumnElement[Any],
    as_of: dt.date,
) -> tuple[Select[Any], type[Statement]]:
    """Join each row of `query` (which has a party and a demand) to its position as of a date.

    Returns the query and the Statement entity to select from it (None where no position).
    """
    if session.get_bind().dialect.name == "postgresql":
        # LATERAL returns the row from the index probe itself. A join on a correlated scalar
        # subquery gets flattened into a hash join over the whole statement table instead.
        latest = latest_statement(party_id, demand_id, as_of).lateral("position")
        return query.outerjoin(latest, true()), aliased(Statement, latest)
    # SQLite has no LATERAL; it plans this as the same probe plus a rowid lookup.
    latest_id = latest_statement(party_id, demand_id, as_of, "id").scalar_subquery()
    return query.outerjoin(Statement, Statement.id == latest_id), Statement
