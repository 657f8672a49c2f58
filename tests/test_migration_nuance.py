"""Migration 0013 adds off-scale answers, partial stances, offers and conditions to statements
already there (the demo's), and takes them away again; it refuses to go down while a statement
is off the scale, which the older schema cannot hold."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.demo import load_demo
from app.migrate import downgrade, upgrade
from app.models import Statement


def test_nuance_comes_and_goes_with_the_data(empty_engine: Engine) -> None:
    # The demo is written by today's models (so at head: later migrations add columns the models
    # carry), then taken down to 0010, below 0013, and back up with its rows.
    upgrade(empty_engine)
    with Session(empty_engine) as session, session.begin():
        load_demo(session)
    with empty_engine.connect() as connection:
        before = connection.execute(
            text("SELECT id, stance, summary FROM statement ORDER BY id")
        ).all()
    assert before
    downgrade(empty_engine, "0010")
    with empty_engine.connect() as connection:
        assert (
            connection.execute(text("SELECT id, stance, summary FROM statement ORDER BY id")).all()
            == before
        )
    upgrade(empty_engine)
    columns = {c["name"] for c in inspect(empty_engine).get_columns("statement")}
    assert {"off_scale", "partial", "scope_note", "alternative_to_id"} <= columns
    with Session(empty_engine) as session, session.begin():
        first, second, third = session.scalars(select(Statement).order_by(Statement.id).limit(3))
        assert [first.partial, first.off_scale] == [False, None]
        first.partial, first.scope_note = True, "local, 2–3 days"
        session.execute(
            text(
                "INSERT INTO statement_condition (statement_id, negotiation_id, demand_id, note)"
                " VALUES (:s, :n, :d, 'only if')"
            ),
            {"s": first.id, "n": first.negotiation_id, "d": second.demand_id},
        )
        if second.party_id == first.party_id and second.negotiation_id == first.negotiation_id:
            second.alternative_to_id = first.id
        third.stance, third.off_scale = None, "declined"
        first_id = first.id
    with empty_engine.connect() as connection:
        # Full-text search still follows the rebuilt table (SQLite's triggers were remade).
        if empty_engine.dialect.name == "sqlite":
            connection.execute(
                text("UPDATE statement SET summary = 'zebraword' WHERE id = :i"), {"i": first_id}
            )
            hit = connection.scalar(
                text("SELECT rowid FROM statement_fts WHERE statement_fts MATCH 'zebraword'")
            )
            assert hit == first_id
            connection.rollback()

    with pytest.raises(RuntimeError, match="off the scale"):
        downgrade(empty_engine, "0010")
    with empty_engine.begin() as connection:
        connection.execute(
            text("UPDATE statement SET stance = 0, off_scale = NULL WHERE off_scale IS NOT NULL")
        )
    downgrade(empty_engine, "0010")
    assert "statement_condition" not in inspect(empty_engine).get_table_names()
    with empty_engine.connect() as connection:
        after = connection.execute(
            text("SELECT id, stance, summary FROM statement ORDER BY id")
        ).all()
    assert len(after) == len(before)
    assert [r.id for r in after] == [r.id for r in before]

    upgrade(empty_engine)
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(Statement)) == len(before)
