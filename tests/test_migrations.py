"""Alembic is the schema's only source: migrations match the models, and go both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from app.db import make_engine
from app.migrate import _migrating, downgrade, include_name, include_object_for, upgrade
from app.models import Base
from app.settings import Settings


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


def test_migrations_run_without_the_apps_statement_timeout(postgres_url: str) -> None:
    """A page's 5 s budget must not cut a migration over a big table short (a loaded machine
    once took more than a 100 ms timeout to create a table); the app's connections keep it."""
    engine = make_engine(Settings(database_url=postgres_url, statement_timeout_ms=100))
    try:
        with _migrating(engine) as connection:
            assert connection.scalar(text("SHOW statement_timeout")) == "0"
        with engine.connect() as connection:
            assert connection.scalar(text("SHOW statement_timeout")) == "100ms"
    finally:
        engine.dispose()
