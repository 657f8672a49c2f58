"""Migration 0002 (editors) goes down and up again without touching what 0001 made."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect

from app.db import make_engine
from app.migrate import downgrade, upgrade
from app.settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["postgresql", "sqlite"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    url = (
        create_postgres_database()
        if request.param == "postgresql"
        else f"sqlite:///{tmp_path / 'editors.db'}"
    )
    engine = make_engine(Settings(database_url=url))
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def test_0002_downgrades_to_0001_and_keeps_the_matrix_index(fresh_engine: Engine) -> None:
    upgrade(fresh_engine)
    assert "login_throttle" in inspect(fresh_engine).get_table_names()
    downgrade(fresh_engine, "0001")
    schema = inspect(fresh_engine)
    assert "login_throttle" not in schema.get_table_names()
    assert "submission_key" not in {c["name"] for c in schema.get_columns("statement")}
    assert "ix_statement_position" in {i["name"] for i in schema.get_indexes("statement")}
    upgrade(fresh_engine)
    indexes = {i["name"]: i for i in inspect(fresh_engine).get_indexes("statement")}
    assert indexes["uq_statement_submission_key"]["unique"]
