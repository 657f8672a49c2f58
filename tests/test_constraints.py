"""The database itself refuses bad rows, whichever code path tries to write them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.exc import IntegrityError

from app.models import Party, Revision, Source, Statement
from app.users.service import system_user
from tests.factories import make_party, make_source, make_statement


def refused(session, statement) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(statement)


@pytest.mark.parametrize("stance", [3, -3, 10])
def test_stance_outside_the_scale_is_refused(session, stance: int) -> None:
    statement = make_statement(session)
    refused(session, update(Statement).where(Statement.id == statement.id).values(stance=stance))


def test_unknown_date_precision_is_refused(session) -> None:
    statement = make_statement(session)
    refused(
        session,
        update(Statement).where(Statement.id == statement.id).values(stated_on_precision="week"),
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.org/a", "data:text/html,x"])
def test_non_http_source_url_is_refused(session, url: str) -> None:
    source = make_source(session)
    refused(session, update(Source).where(Source.id == source.id).values(url=url))


def test_over_long_text_is_refused_even_on_sqlite(session) -> None:
    statement = make_statement(session)
    refused(
        session, update(Statement).where(Statement.id == statement.id).values(summary="x" * 1001)
    )
    refused(session, update(Statement).where(Statement.id == statement.id).values(summary="   "))


def test_slugs_are_unique(session) -> None:
    make_party(session, slug="twin")
    refused(
        session,
        insert(Party).values(
            slug="twin", name="Twin", short_name="T", kind="state", colour="#000000", version=1
        ),
    )


def test_foreign_keys_hold(session) -> None:
    statement = make_statement(session)
    refused(session, update(Statement).where(Statement.id == statement.id).values(party_id=999_999))


def test_retraction_needs_a_reason(session) -> None:
    statement = make_statement(session)
    refused(
        session,
        update(Statement)
        .where(Statement.id == statement.id)
        .values(retracted_at=dt.datetime.now(dt.UTC)),
    )


def test_a_second_revision_of_one_version_is_refused(session) -> None:
    statement = make_statement(session)
    refused(
        session,
        insert(Revision).values(
            entity_type="statement",
            entity_id=statement.id,
            version=1,
            action="edit",
            snapshot={},
            user_id=system_user(session).id,
            created_at=dt.datetime.now(dt.UTC),
        ),
    )


def test_matrix_index_is_partial_on_retraction(session) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_statement_position'"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_statement_position'"
    definition = session.execute(text(sql)).scalar_one()
    assert "retracted_at IS NULL" in definition
    assert "stated_on DESC" in definition
