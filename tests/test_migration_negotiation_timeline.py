"""Migration 0009 adds ix_statement_negotiation_timeline over a database with statements, and
takes it away again, rows untouched, on both databases."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, text

from app.migrate import downgrade, upgrade
from app.models import Statement
from tests.test_migration_negotiations import fill_0006

INDEX = "ix_statement_negotiation_timeline"


def index_names(engine: Engine) -> set[str]:
    if engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'statement'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'statement'"
    with engine.connect() as connection:
        return set(connection.scalars(text(sql)))


def statements(engine: Engine) -> list[tuple[int, int, str]]:
    with engine.connect() as connection:
        query = select(Statement.id, Statement.negotiation_id, Statement.summary)
        return [tuple(row) for row in connection.execute(query.order_by(Statement.id))]


def test_the_negotiation_timeline_index_comes_and_goes_with_the_data(empty_engine) -> None:
    upgrade(empty_engine, "0006")
    fill_0006(empty_engine)
    upgrade(empty_engine, "0008")
    before = statements(empty_engine)
    assert len(before) == 2 and INDEX not in index_names(empty_engine)
    upgrade(empty_engine)
    assert INDEX in index_names(empty_engine)
    assert statements(empty_engine) == before
    # Partial: it holds live statements only (the timeline never shows retracted ones).
    with empty_engine.connect() as connection:
        live = connection.scalar(
            select(func.count()).select_from(Statement).where(Statement.retracted_at.is_(None))
        )
    assert live == 2
    downgrade(empty_engine, "0008")
    assert INDEX not in index_names(empty_engine)
    assert statements(empty_engine) == before
    upgrade(empty_engine)
    assert INDEX in index_names(empty_engine)
