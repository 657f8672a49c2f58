"""Migration 0007 moves a database's rows into one negotiation, and folds it back.

Rows are written as 0006 knew them (plain SQL: the models are already the new ones).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.migrate import downgrade, upgrade
from app.models import Demand, Negotiation, Participation, Party, Revision, Statement
from app.search.queries import search
from app.users.service import SYSTEM_EMAIL

NOW = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)


def fill_0006(engine: Engine) -> None:
    """Two parties (one without statements), two demands, a source and two statements."""
    stamp = {"version": 1, "created_at": NOW, "updated_at": NOW}
    with engine.begin() as connection:
        run = connection.execute
        run(
            text(
                'INSERT INTO "user" (id, email, display_name, role, is_active, session_version,'
                " version, created_at, updated_at) VALUES (1, 'ed@example.org', 'Ed', 'editor',"
                " true, 1, 1, :created_at, :updated_at)"
            ),
            stamp,
        )
        for n, slug in [(1, "atlantis"), (2, "lemuria")]:
            run(
                text(
                    "INSERT INTO party (id, slug, name, short_name, kind, colour, description,"
                    " version, created_at, updated_at) VALUES (:id, :slug, :slug, :slug,"
                    " 'state', '#336699', '', 1, :created_at, :updated_at)"
                ),
                {"id": n, "slug": slug, **stamp},
            )
        for n, slug in [(1, "open-the-straits"), (2, "close-the-straits")]:
            run(
                text(
                    "INSERT INTO demand (id, slug, title, description, display_order, version,"
                    " created_at, updated_at) VALUES (:id, :slug, :slug, '', :id, 1,"
                    " :created_at, :updated_at)"
                ),
                {"id": n, "slug": slug, **stamp},
            )
        run(
            text(
                "INSERT INTO source (id, url, title, publisher, kind, version, created_at,"
                " updated_at) VALUES (1, 'https://news.example.org/a', 'Harbour gazette',"
                " 'Gazette', 'news_report', 1, :created_at, :updated_at)"
            ),
            stamp,
        )
        for n, demand in [(1, 1), (2, 2)]:
            run(
                text(
                    "INSERT INTO statement (id, party_id, demand_id, stance, stated_on,"
                    " stated_on_precision, summary, source_id, created_by_id, version,"
                    " created_at, updated_at) VALUES (:id, 1, :demand, 1, '2025-03-01', 'day',"
                    " :summary, 1, 1, 1, :created_at, :updated_at)"
                ),
                {"id": n, "demand": demand, "summary": f"Straits statement {n}.", **stamp},
            )
        if connection.dialect.name == "postgresql":
            # Ids were given: move the sequences past them, as the app's inserts would have.
            for table in ["user", "party", "demand", "source", "statement"]:
                run(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                        f' (SELECT max(id) FROM "{table}"))'
                    )
                )


def found(engine: Engine, query: str) -> list[str]:
    with Session(engine) as session:
        return [hit.statement.summary for hit in search(session, query).hits]


def found_by_index(engine: Engine, words: str) -> list[int]:
    """Statement ids the full-text index finds, read without the models (for older schemas)."""
    if engine.dialect.name == "postgresql":
        sql = (
            "SELECT id FROM statement WHERE fts @@ websearch_to_tsquery('english', :q) ORDER BY id"
        )
    else:
        sql = "SELECT rowid FROM statement_fts WHERE statement_fts MATCH :q ORDER BY rowid"
    with engine.connect() as connection:
        return list(connection.scalars(text(sql), {"q": words}))


# Fields of the snapshot that migrations after 0007 added to the model.
ADDED_AFTER_0007 = {"statements_need_review"}


def test_existing_rows_move_into_one_negotiation_and_back(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0006")
    fill_0006(empty_engine)
    upgrade(empty_engine)

    with Session(empty_engine) as session:
        negotiation = session.scalars(select(Negotiation)).one()
        assert (negotiation.slug, negotiation.title, negotiation.status) == (
            "russia-ukraine",
            "Russia–Ukraine talks",
            "active",
        )
        demands = session.scalars(select(Demand)).all()
        assert {d.negotiation_id for d in demands} == {negotiation.id}
        # Every party takes part, as a party to the talks, with or without statements.
        participations = session.scalars(select(Participation).order_by(Participation.id)).all()
        assert [(p.party_id, p.role) for p in participations] == [(1, "party"), (2, "party")]
        statements = session.scalars(select(Statement)).all()
        assert {s.negotiation_id for s in statements} == {negotiation.id}
        # Each new row has its creation revision, by the system account (made for it), with
        # the snapshot the model itself would record.
        for row in [negotiation, *participations]:
            revision = session.scalars(
                select(Revision).where(
                    Revision.entity_type == row.ENTITY_TYPE, Revision.entity_id == row.id
                )
            ).one()
            assert (revision.version, revision.action) == (1, "create")
            # Less what later migrations added to the model (0015's review setting): a
            # revision keeps what was recorded when it was made.
            now = {k: v for k, v in row.snapshot().items() if k not in ADDED_AFTER_0007}
            assert revision.snapshot == now
            assert revision.user_id == session.scalar(
                select(Revision.user_id)
                .where(Revision.entity_type == "user")
                .where(Revision.snapshot["email"].as_string() == SYSTEM_EMAIL)
            )

    # The rules hold on migrated data: a party outside the talks, a demand slug twice.
    with Session(empty_engine) as session:
        session.execute(
            insert(Party).values(
                id=3,
                slug="mu",
                name="Mu",
                short_name="Mu",
                kind="state",
                colour="#000000",
                version=1,
            )
        )
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(
                insert(Statement).values(
                    party_id=3,
                    demand_id=1,
                    negotiation_id=negotiation.id,
                    stance=1,
                    stated_on=dt.date(2025, 3, 1),
                    stated_on_precision="day",
                    summary="Not a participant.",
                    source_id=1,
                    created_by_id=1,
                    version=1,
                )
            )
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(
                insert(Demand).values(
                    negotiation_id=negotiation.id,
                    slug="open-the-straits",
                    title="Twin",
                    description="",
                    version=1,
                )
            )
        session.rollback()

    # The rebuilt statement table kept its search (SQLite's FTS triggers) and its indexes.
    assert found(empty_engine, "Straits statement") == [
        "Straits statement 2.",
        "Straits statement 1.",
    ] or sorted(found(empty_engine, "Straits statement")) == [
        "Straits statement 1.",
        "Straits statement 2.",
    ]
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE statement SET summary = 'Harbour closed.' WHERE id = 1"))
    assert found(empty_engine, "harbour closed") == ["Harbour closed."]
    indexes = {i["name"] for i in inspect(empty_engine).get_indexes("statement")}
    if empty_engine.dialect.name == "sqlite":
        # Reflection skips the DESC expression index on SQLite: ask the catalogue.
        with empty_engine.connect() as connection:
            indexes |= set(
                connection.scalars(
                    text("SELECT name FROM sqlite_master WHERE tbl_name = 'statement'")
                )
            )
    assert {
        "ix_statement_position",
        "ix_statement_timeline",
        "ix_statement_party_timeline",
        "ix_statement_demand_timeline",
        "ix_statement_stated_all",
        "ix_statement_source_id",
        "uq_statement_submission_key",
    } <= indexes

    downgrade(empty_engine, "0006")
    tables = set(inspect(empty_engine).get_table_names())
    assert not {"negotiation", "participation"} & tables
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT id, slug FROM demand ORDER BY id")).all() == [
            (1, "open-the-straits"),
            (2, "close-the-straits"),
        ]
        assert connection.scalar(text("SELECT count(*) FROM statement")) == 2
        assert (
            connection.scalar(
                text(
                    "SELECT count(*) FROM revision"
                    " WHERE entity_type IN ('negotiation', 'participation')"
                )
            )
            == 0
        )
        assert "negotiation_id" not in {
            c["name"] for c in inspect(connection).get_columns("demand")
        }
    assert found_by_index(empty_engine, "harbour closed") == [1]
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE statement SET summary = 'Strait open.' WHERE id = 1"))
    assert found_by_index(empty_engine, "harbour closed") == []
    # Slugs are globally unique again.
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO demand (slug, title, description, display_order, version,"
                " created_at, updated_at) VALUES ('open-the-straits', 'Twin', '', 0, 1,"
                " :now, :now)"
            ),
            {"now": NOW},
        )

    upgrade(empty_engine)
    with Session(empty_engine) as session:
        assert session.scalar(select(Negotiation.slug)) == "russia-ukraine"


def test_an_empty_database_gets_no_negotiation(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with Session(empty_engine) as session:
        assert session.scalar(select(Negotiation.id)) is None
        assert session.scalar(select(Revision.id)) is None


def test_downgrade_refuses_while_a_second_negotiation_exists(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0006")
    fill_0006(empty_engine)
    upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO negotiation (slug, title, description, status, display_order,"
                " version, created_at, updated_at) VALUES ('sudan', 'Sudan talks', '', 'active',"
                " 1, 1, :now, :now)"
            ),
            {"now": NOW},
        )
    with pytest.raises(RuntimeError, match="there are 2 negotiations"):
        downgrade(empty_engine, "0006")
    # Nothing changed: still at the new schema with both negotiations.
    with Session(empty_engine) as session:
        assert session.scalars(select(Negotiation.slug).order_by(Negotiation.id)).all() == [
            "russia-ukraine",
            "sudan",
        ]
        assert session.scalar(select(Demand.negotiation_id).limit(1)) is not None
