"""Alembic is the schema's only source: migrations match the models, and go both ways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.db import make_engine
from app.migrate import downgrade, include_name, include_object_for, upgrade
from app.models import Base
from app.settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    if request.param == "postgresql":
        url = create_postgres_database()
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    engine = make_engine(Settings(database_url=url))
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_name": include_name,
                "include_object": include_object_for(connection.dialect.name),
                "compare_type": True,
            },
        )
        return compare_metadata(context, Base.metadata)


def test_models_and_migrations_agree(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {"party", "demand", "source", "statement", "user", "revision"} <= tables
