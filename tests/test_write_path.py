"""Inputs to the one write path: validated once, the same for every way in."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from app.models import Revision
from app.sources.service import SourceFields, source_for
from app.statements.service import StatementFields
from app.users.service import system_user
from tests.factories import make_statement


def statement_fields(**overrides) -> StatementFields:  # type: ignore[no-untyped-def]
    values = {"stance": 1, "stated_on": dt.date(2025, 3, 4), "summary": "Says yes."}
    values.update(overrides)
    return StatementFields(**values)


def test_every_write_appends_one_revision_with_a_full_snapshot(session) -> None:
    before = session.scalar(select(func.count()).select_from(Revision))
    statement = make_statement(session, quote="Verbatim.")
    revisions = session.scalars(
        select(Revision).where(
            Revision.entity_type == "statement", Revision.entity_id == statement.id
        )
    ).all()
    assert [(r.version, r.action) for r in revisions] == [(1, "create")]
    assert revisions[0].snapshot["quote"] == "Verbatim."
    assert revisions[0].snapshot["stated_on"] == "2025-03-01"
    # statement + its new party, demand, source and the party's place in the demand's
    # negotiation: five rows, five revisions.
    assert session.scalar(select(func.count()).select_from(Revision)) == before + 5


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"stated_on": dt.date(2025, 6, 15), "stated_on_precision": "month"}, "cannot name a day"),
        ({"stated_on": dt.date(2025, 6, 1), "stated_on_precision": "year"}, "cannot name a day"),
        ({"summary": "   "}, "at least 1 character"),
        ({"summary": "x" * 1001}, "at most 1000"),
        ({"summary": "nul \x00 byte"}, "control characters"),
        ({"stance": 3}, "stance"),
        ({"stated_on_precision": "week"}, "stated_on_precision"),
        ({"quote": "q" * 100_000}, "at most 4000"),
    ],
)
def test_bad_statement_input_is_refused_with_a_reason(overrides, problem: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=problem):
        statement_fields(**overrides)


def test_a_date_in_the_future_is_refused() -> None:
    # Tomorrow is worked out when the test runs, not when it is collected: a suite that runs
    # across midnight would otherwise ask about a day that has become today.
    with pytest.raises(ValidationError, match="future"):
        statement_fields(stated_on=dt.date.today() + dt.timedelta(days=1))


def test_optional_text_left_empty_is_stored_as_null() -> None:
    fields = statement_fields(speaker="  ", quote="")
    assert fields.speaker is None and fields.quote is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x", "http://", "//x.org"]
)
def test_source_urls_must_be_http(url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        SourceFields(url=url, title="T", publisher="P")


def test_source_url_scheme_is_normalised() -> None:
    assert SourceFields(url="HTTPS://example.org/a", title="T", publisher="P").url == (
        "https://example.org/a"
    )


def test_pasting_a_known_source_url_reuses_the_source(session) -> None:
    user = system_user(session)
    fields = SourceFields(url="https://example.org/known", title="Known", publisher="P")
    first = source_for(session, fields, user=user)
    again = source_for(session, fields.model_copy(update={"title": "Other"}), user=user)
    assert again.id == first.id
