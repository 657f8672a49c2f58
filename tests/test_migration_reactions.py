"""Migration 0019 (issue 17): statements answer a proposal version or point. Up and down with the
demo's reactions in it, on both databases; SQLite's rebuilt statement table keeps its full-text
triggers and the readers' partial indexes."""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.demo import STATEMENTS, load_demo
from app.migrate import downgrade, upgrade
from app.models import Statement
from app.search.queries import search

ANSWERING = sum(1 for s in STATEMENTS if s.answers)


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("statement")}


def _sqlite_index_sql(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {
            name: sql
            for name, sql in connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            )
        }


def test_reactions_come_and_go_and_the_rest_stays(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with Session(empty_engine) as session, session.begin():
        load_demo(session)
    with Session(empty_engine) as session:
        answering = session.scalar(
            select(func.count()).where(Statement.answers_point_id.is_not(None))
        )
        assert answering == ANSWERING == 6
        before = session.execute(select(Statement.id, Statement.summary).order_by(Statement.id))
        rows = [tuple(r) for r in before]

    downgrade(empty_engine, "0015")
    assert not {"answers_version_id", "answers_point_id"} & _columns(empty_engine)
    with empty_engine.connect() as connection:
        assert [
            tuple(r)
            for r in connection.execute(text("SELECT id, summary FROM statement ORDER BY id"))
        ] == rows

    upgrade(empty_engine)
    assert {"answers_version_id", "answers_point_id"} <= _columns(empty_engine)
    with Session(empty_engine) as session:
        # The columns come back empty; revisions still say what each answered.
        assert (
            session.scalar(select(func.count()).where(Statement.answers_version_id.is_not(None)))
            == 0
        )
        # Search still finds statements: SQLite's full-text triggers and index survived.
        assert search(session, "peacekeepers").hits
        session.execute(
            text("UPDATE statement SET summary = 'Zyzzyva talks.' WHERE id = :id"),
            {"id": rows[0][0]},
        )
        session.flush()
        assert [h.statement.id for h in search(session, "zyzzyva").hits] == [rows[0][0]]
        session.rollback()
    if empty_engine.dialect.name == "sqlite":
        indexes = _sqlite_index_sql(empty_engine)
        for name in ("ix_statement_position", "ix_statement_negotiation_timeline"):
            assert "published_at IS NOT NULL" in indexes[name], name
        assert "DESC" in indexes["ix_statement_position"]
        assert "published_at IS NULL" in indexes["ix_statement_draft"]
