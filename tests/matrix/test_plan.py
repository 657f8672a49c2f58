"""The matrix is answered by probing ix_statement_position, never by scanning statements."""

from __future__ import annotations

import datetime as dt
import random
import re

from sqlalchemy import insert, select, text

from app.matrix.queries import cells_query
from app.models import Demand, Participation, Source, Statement
from app.users.service import system_user


def fill(session, count: int = 6000) -> None:  # type: ignore[no-untyped-def]
    """Enough rows that a planner would rather scan than probe if the index did not fit."""
    rng = random.Random(7)
    # The demo's one negotiation: every party takes part in it, every demand is in it.
    negotiation = session.scalar(select(Demand.negotiation_id).limit(1))
    parties = list(
        session.scalars(
            select(Participation.party_id).where(Participation.negotiation_id == negotiation)
        )
    )
    demands = list(session.scalars(select(Demand.id).where(Demand.negotiation_id == negotiation)))
    source = session.scalar(select(Source.id))
    user = system_user(session).id
    now = dt.datetime.now(dt.UTC)
    session.execute(
        insert(Statement),
        [
            {
                "party_id": rng.choice(parties),
                "demand_id": rng.choice(demands),
                "negotiation_id": negotiation,
                "stance": rng.randint(-2, 2),
                "stated_on": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650)),
                "stated_on_precision": "day",
                "summary": "Filler for the planner.",
                "source_id": source,
                "created_by_id": user,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                # Published (issue 19): drafts are outside the partial indexes.
                "published_at": now,
            }
            for _ in range(count)
        ],
    )
    session.execute(text("ANALYZE"))


def plan(session, as_of: dt.date, since: dt.date | None) -> str:  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect
    negotiation = session.scalar(select(Demand.negotiation_id).limit(1))
    query = cells_query(dialect.name, since is not None).params(
        negotiation=negotiation, as_of=as_of, since=since
    )
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN " if dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    rows = session.execute(text(explain + sql)).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_every_cell_is_an_index_probe_not_a_scan_of_statements(session) -> None:
    fill(session)
    for as_of, since in [(dt.date(2020, 6, 1), None), (dt.date(2024, 1, 1), dt.date(2019, 1, 1))]:
        found = plan(session, as_of, since)
        assert "ix_statement_position" in found, found
        if session.get_bind().dialect.name == "postgresql":
            # The statement table (the conditions of the demo are a table of a row or two).
            assert re.search(r"Seq Scan on statement\b(?!_condition)", found) is None, found
            assert "Hash" not in found, found  # a hash join would read every statement
            assert "hashed SubPlan" not in found, found  # so would a hashed subquery
        else:
            assert "SCAN statement" not in found and "SCAN probe" not in found, found
