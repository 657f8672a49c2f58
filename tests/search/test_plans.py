"""The plan PostgreSQL runs a search with (issue 22).

A parallel plan split the cost of probing each matching source's statements across workers and
so won over the sources' GIN index: at 1M statements every search read and tested all 50,000
sources (20-50 ms). The test database is too small for the planner to go parallel on its own,
so its costs are set to make parallel plans free; the search must still plan serially.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from app.search.queries import search
from tests.factories import make_statement


def test_a_search_is_planned_serially_even_when_parallel_plans_look_free(session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner")
    for n in range(30):
        make_statement(session, summary=f"Ceasefire monitors, report {n}.")
    session.commit()
    for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
        session.execute(text(f"SET LOCAL {setting} = 0"))
    ranked: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement: str, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        if "ts_headline" in statement:
            ranked.append((statement, parameters))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", keep)
    try:
        assert search(session, "ceasefire").hits
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    [(statement, parameters)] = ranked
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute("EXPLAIN " + statement, parameters)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Gather" not in plan and "Parallel" not in plan, plan
