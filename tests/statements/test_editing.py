from __future__ import annotations

from sqlalchemy import select

from app.models import Revision, Statement
from tests.editors import counts, log_in, post_form
from tests.factories import make_user
from tests.html import one, parse, words


def new_statement(**changes: str) -> dict[str, str]:
    values = {
        "party": "1",
        "demand": "1",
        "stance": "-1",
        "stated_on": "2025-03-04",
        "stated_on_precision": "day",
        "speaker": "A Minister",
        "summary": "Rejects the proposal.",
        "quote": "We reject it.",
        "source_url": "https://news.example.org/new-story",
        "source_title": "New story",
        "source_publisher": "Example News",
        "source_published_on": "2025-03-05",
        "source_kind": "news_report",
    }
    values.update(changes)
    return values


def test_an_editor_adds_a_statement_with_a_new_source(client, session) -> None:
    editor = make_user(session)
    session.commit()
    log_in(client, editor)
    before = counts(session)
    response = post_form(client, "/statements/new", "/statements/new", new_statement())
    assert response.status_code == 303, response.text
    statement_id = int(response.headers["location"].split("/")[2].split("?")[0])
    after = counts(session)
    assert after["Statement"] == before["Statement"] + 1
    assert after["Source"] == before["Source"] + 1
    assert after["Revision"] == before["Revision"] + 2
    page = parse(client.get(response.headers["location"]))
    assert "Rejects the proposal." in words(one(page, ".facts"))
    assert "New story" in words(one(page, ".source"))
    statement = session.get(Statement, statement_id)
    assert statement.created_by_id == editor.id
    revision = session.scalar(
        select(Revision).where(
            Revision.entity_type == "statement", Revision.entity_id == statement_id
        )
    )
    assert revision.action == "create" and revision.user_id == editor.id
