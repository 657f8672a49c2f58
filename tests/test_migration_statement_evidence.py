"""Migration 0014 keeps existing statements and sources (and their search index) and adds the
evidence columns; down again, the columns go and the index is as 0010 left it."""

from __future__ import annotations

from sqlalchemy import Engine, text

from app.migrate import downgrade, upgrade
from tests.test_migration_source_address import NOW, found_by_source_index


def fill_0010(engine: Engine) -> None:
    stamp = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as connection:
        for sql in [
            'INSERT INTO "user" (email, display_name, role, is_active, session_version,'
            " version, created_at, updated_at) VALUES ('ed@example.org', 'Ed', 'editor',"
            " true, 1, 1, :created_at, :updated_at)",
            "INSERT INTO negotiation (slug, title, description, status, display_order, version,"
            " created_at, updated_at)"
            " VALUES ('talks', 'Talks', '', 'active', 1, 1, :created_at, :updated_at)",
            "INSERT INTO party (slug, name, short_name, kind, colour, description, version,"
            " created_at, updated_at) VALUES ('atlantis', 'Atlantis', 'A', 'state',"
            " '#336699', '', 1, :created_at, :updated_at)",
            "INSERT INTO participation (negotiation_id, party_id, role, display_order, version,"
            " created_at, updated_at) VALUES (1, 1, 'party', 1, 1, :created_at, :updated_at)",
            "INSERT INTO demand (slug, title, description, display_order, negotiation_id,"
            " version, created_at, updated_at) VALUES ('truce', 'Truce', '', 1, 1, 1,"
            " :created_at, :updated_at)",
            "INSERT INTO source (url, title, publisher, kind, version, created_at,"
            " updated_at) VALUES ('https://www.dailywrap.net/2025/06/talks', 'Story',"
            " 'Daily Wrap', 'news_report', 1, :created_at, :updated_at)",
            "INSERT INTO statement (party_id, demand_id, negotiation_id, stance, stated_on,"
            " stated_on_precision, summary, quote, source_id, created_by_id, version,"
            " created_at, updated_at) VALUES (1, 1, 1, 1, '2025-06-02', 'day',"
            " 'Talks resume.', 'We talk.', 1, 1, 1, :created_at, :updated_at)",
        ]:
            connection.execute(text(sql), stamp)


def statement_index(engine: Engine, words: str) -> list[int]:
    if engine.dialect.name == "postgresql":
        sql = "SELECT id FROM statement WHERE fts @@ websearch_to_tsquery('english', :q)"
    else:
        sql = "SELECT rowid FROM statement_fts WHERE statement_fts MATCH :q"
    with engine.connect() as connection:
        return list(connection.scalars(text(sql), {"q": words}))


def test_statements_keep_their_data_and_index_up_and_down(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0010")
    fill_0010(empty_engine)
    upgrade(empty_engine, "0014")
    assert statement_index(empty_engine, "resume") == [1]
    assert found_by_source_index(empty_engine, "dailywrap") == [1]
    with empty_engine.begin() as connection:
        row = connection.execute(
            text("SELECT summary, quote, evidence, original_quote FROM statement")
        ).one()
        assert tuple(row) == ("Talks resume.", "We talk.", None, None)
        connection.execute(
            text(
                "UPDATE statement SET evidence = 'other_outlet', evidence_outlet = 'Interfax',"
                " quote_language = 'uk', original_quote = 'Ми говоримо.',"
                " translated_by = 'the source'"
            )
        )
        connection.execute(text("UPDATE source SET archive_url = 'https://archive.example/x'"))
        connection.execute(
            text(
                "INSERT INTO source_link_check (source_id, outcome, status_code, detail,"
                " checked_at) VALUES (1, 'broken', 404, 'HTTP 404', :now)"
            ),
            {"now": NOW},
        )
    # The index follows the new column and edits after the migration; the source's too.
    assert statement_index(empty_engine, "говоримо") == [1]
    assert found_by_source_index(empty_engine, "dailywrap") == [1]

    downgrade(empty_engine, "0010")
    assert statement_index(empty_engine, "resume") == [1]
    assert found_by_source_index(empty_engine, "dailywrap") == [1]
    with empty_engine.connect() as connection:
        columns = list(connection.execute(text("SELECT * FROM statement")).keys())
        assert "evidence" not in columns and "original_quote" not in columns
        assert connection.execute(text("SELECT summary FROM statement")).scalar() == "Talks resume."
    upgrade(empty_engine)
    assert statement_index(empty_engine, "resume") == [1]
