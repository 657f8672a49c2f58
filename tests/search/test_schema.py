"""Migration 0003's search objects: created on upgrade, gone on downgrade, on both databases."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from app.migrate import downgrade, upgrade
from tests.factories import make_source, make_statement
from tests.test_migration_negotiations import found_by_index
from tests.test_migration_source_address import found_by_source_index


def search_objects(engine: Engine) -> set[str]:
    inspector = inspect(engine)
    found = {t for t in inspector.get_table_names() if t.startswith("statement_fts")}
    for table in ("statement", "source"):
        found |= {
            f"{table}.{c['name']}" for c in inspector.get_columns(table) if c["name"] == "fts"
        }
        found |= {i["name"] for i in inspector.get_indexes(table) if i["name"].endswith("_fts")}
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            found |= set(triggers)
    return found


def test_search_schema_goes_up_and_down_and_indexes_rows_written_before_it(
    empty_engine: Engine,
) -> None:
    # The rows are written through today's models (which need today's schema), then the schema
    # goes back to the revision before search: 0003 must index rows it finds already there.
    upgrade(empty_engine)
    with Session(empty_engine) as session, session.begin():
        source = make_source(session, title="Older source")
        make_statement(session, source=source, summary="Written before search existed: okapi.")
    downgrade(empty_engine, "0002")
    assert search_objects(empty_engine) == set()
    upgrade(empty_engine, "0003")
    assert search_objects(empty_engine)
    # Read in plain SQL: below 0007 the models (statements have a negotiation) do not fit.
    assert len(found_by_index(empty_engine, "okapi")) == 1
    assert len(found_by_source_index(empty_engine, "older")) == 1

    downgrade(empty_engine, "0002")
    assert search_objects(empty_engine) == set()
    index_names = {i["name"] for i in inspect(empty_engine).get_indexes("statement")}
    assert not any("timeline" in name for name in index_names)
    upgrade(empty_engine, "0003")
    assert len(found_by_index(empty_engine, "okapi")) == 1
