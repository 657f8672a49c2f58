"""'Position as of a date': the latest non-retracted statement per (party, demand) on or before it.

Every page that shows positions builds on `latest_statement`, so the rule lives in one place.
The shape is a correlated `ORDER BY stated_on DESC, id DESC LIMIT 1` per cell, which both
PostgreSQL and SQLite answer with one probe of ix_statement_position: the cost depends on the
number of cells, never on the number of statements (DESIGN.md, "The matrix query").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from app.models import Statement


def latest_statement(
    party_id: ColumnElement[Any] | int,
    demand_id: ColumnElement[Any] | int,
    as_of: dt.date,
    column: Any = Statement.id,
) -> Select[Any]:
    """A one-row select of `column` from the position of (party, demand) as of `as_of`."""
    return (
        select(column)
        .where(
            Statement.party_id == party_id,
            Statement.demand_id == demand_id,
            Statement.stated_on <= as_of,
            Statement.retracted_at.is_(None),
        )
        .order_by(Statement.stated_on.desc(), Statement.id.desc())
        .limit(1)
    )
