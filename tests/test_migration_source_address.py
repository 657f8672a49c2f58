"""Migration source_address_search indexes a source's address, including sources that existed
before it; down again, the index is as 0004 left it (title and publisher only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.migrate import downgrade, upgrade
from app.search.queries import search
from tests.factories import make_party, make_source, make_statement


def found(engine: Engine, query: str) -> list[str]:
    with Session(engine) as session:
        return [hit.statement.summary for hit in search(session, query).hits]


def test_existing_sources_become_findable_by_address_and_back(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0004")
    with Session(empty_engine) as session:
        source = make_source(
            session, url="https://www.dailywrap.net/2025/06/talks", publisher="Daily Wrap"
        )
        make_statement(
            session,
            party=make_party(session),
            source=source,
            summary="Talks resume.",
            stated_on=dt.date(2025, 6, 2),
        )
        session.commit()
    assert found(empty_engine, "dailywrap") == []
    assert found(empty_engine, "Daily Wrap") == ["Talks resume."]

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
    assert found(empty_engine, "kyivpost") == []
    assert found(empty_engine, "Daily Wrap") == ["Talks resume."]
    upgrade(empty_engine)
    assert found(empty_engine, "kyivpost") == ["Talks resume."]
