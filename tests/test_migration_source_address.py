"""Migration 0005 indexes a source's address, including sources that existed
before it; down again, the index is as 0004 left it (title and publisher only).

Rows are written and, below the latest schema, searched in plain SQL: the models are the
latest schema's (statements have a negotiation since 0007)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.migrate import downgrade, upgrade
from app.search.queries import search

NOW = dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC)


def found(engine: Engine, query: str) -> list[str]:
    with Session(engine) as session:
        return [hit.statement.summary for hit in search(session, query).hits]


def found_by_source_index(engine: Engine, words: str) -> list[int]:
    """Sources the full-text index finds by their words, without the models."""
    if engine.dialect.name == "postgresql":
        sql = "SELECT id FROM source WHERE fts @@ websearch_to_tsquery('english', :q)"
    else:
        sql = "SELECT rowid FROM statement_fts_source WHERE statement_fts_source MATCH :q"
    with engine.connect() as connection:
        return list(connection.scalars(text(sql), {"q": words}))


def fill_0004(engine: Engine) -> None:
    # No ids given: the sequences hand them out (1 each), as the app's inserts would.
    stamp = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as connection:
        for sql in [
            'INSERT INTO "user" (email, display_name, role, is_active, session_version,'
            " version, created_at, updated_at) VALUES ('ed@example.org', 'Ed', 'editor',"
            " true, 1, 1, :created_at, :updated_at)",
            "INSERT INTO party (slug, name, short_name, kind, colour, description, version,"
            " created_at, updated_at) VALUES ('atlantis', 'Atlantis', 'A', 'state',"
            " '#336699', '', 1, :created_at, :updated_at)",
            "INSERT INTO demand (slug, title, description, display_order, version,"
            " created_at, updated_at) VALUES ('talks', 'Talks', '', 1, 1, :created_at,"
            " :updated_at)",
            "INSERT INTO source (url, title, publisher, kind, version, created_at,"
            " updated_at) VALUES ('https://www.dailywrap.net/2025/06/talks', 'Story',"
            " 'Daily Wrap', 'news_report', 1, :created_at, :updated_at)",
            "INSERT INTO statement (party_id, demand_id, stance, stated_on,"
            " stated_on_precision, summary, source_id, created_by_id, version, created_at,"
            " updated_at) VALUES (1, 1, 1, '2025-06-02', 'day', 'Talks resume.', 1, 1, 1,"
            " :created_at, :updated_at)",
        ]:
            connection.execute(text(sql), stamp)


def test_existing_sources_become_findable_by_address_and_back(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0004")
    fill_0004(empty_engine)
    assert found_by_source_index(empty_engine, "dailywrap") == []
    assert found_by_source_index(empty_engine, "Daily Wrap") == [1]

    upgrade(empty_engine)
    assert found(empty_engine, "dailywrap") == ["Talks resume."]
    assert found(empty_engine, "https://www.dailywrap.net/2025/06/talks") == ["Talks resume."]
    assert found(empty_engine, "Daily Wrap") == ["Talks resume."]
    # The index follows edits made after the migration.
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE source SET url = 'https://kyivpost.example/talks'"))
    assert found(empty_engine, "dailywrap") == []
    assert found(empty_engine, "kyivpost") == ["Talks resume."]

    downgrade(empty_engine, "0004")
    assert found_by_source_index(empty_engine, "kyivpost") == []
    assert found_by_source_index(empty_engine, "Daily Wrap") == [1]
    upgrade(empty_engine)
    assert found(empty_engine, "kyivpost") == ["Talks resume."]
