"""Migration 0015 (issue 19): statements already there become published (on the day they were
entered), the readers' partial indexes come back with the published predicate, and the way
down refuses while a draft exists (it would become public)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from app.migrate import downgrade, upgrade
from tests.test_migration_negotiations import fill_0006


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


def test_existing_statements_become_published_and_come_back(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0006")
    fill_0006(empty_engine)
    upgrade(empty_engine, "0010")
    before = rows(empty_engine, "SELECT id, summary, version FROM statement ORDER BY id")
    assert len(before) == 2
    upgrade(empty_engine, "0015")
    assert rows(empty_engine, "SELECT count(*) FROM statement WHERE published_at IS NULL") == [(0,)]
    assert rows(empty_engine, "SELECT count(*) FROM statement WHERE published_at = created_at") == [
        (2,)
    ]
    assert rows(empty_engine, "SELECT DISTINCT statements_need_review FROM negotiation") in (
        [(True,)],
        [(1,)],
    )
    downgrade(empty_engine, "0010")
    assert rows(empty_engine, "SELECT id, summary, version FROM statement ORDER BY id") == before
    upgrade(empty_engine, "0015")
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE statement SET published_at = NULL WHERE id = 1"))
    with pytest.raises(RuntimeError, match="draft"):
        downgrade(empty_engine, "0010")
