"""A negotiation's timeline is one range scan of ix_statement_negotiation_timeline, however many
statements the other negotiations hold; so is its last statement (the list of negotiations)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from app.models import Negotiation, Statement
from app.timeline.queries import TimelineFilters, timeline_query
from tests.matrix.test_plan import fill
from tests.negotiations.test_pages import second_talks


def explain(session, query) -> str:  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN " if dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    return "\n".join(str(row[-1]) for row in session.execute(text(prefix + sql)).all())


def test_a_negotiations_timeline_pages_walk_its_own_index(session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner is the one that chooses among the indexes at scale")
    sudan = second_talks(session)
    fill(session)  # 6,000 statements in the other negotiation
    sudan = session.get(Negotiation, sudan.id)
    filters = TimelineFilters(negotiation=sudan)
    for before in (None, (dt.date.today(), 10**9)):
        found = explain(session, timeline_query(filters, before))
        assert "ix_statement_negotiation_timeline" in found, found
        assert "Seq Scan on statement" not in found, found
        assert "Sort" not in found.split("SubPlan")[0], found  # the index gives the order
    # As app/negotiations/queries.py asks it: public statements only (not retracted, published).
    last = select(func.max(Statement.stated_on)).where(
        Statement.negotiation_id == sudan.id, Statement.is_public()
    )
    found = explain(session, last)
    assert "ix_statement_negotiation_timeline" in found, found
