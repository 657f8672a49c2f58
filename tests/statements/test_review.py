"""Draft and publish (issue 19): where a negotiation asks for review, a new statement is a draft
that only its talks' editors see, until an editor who did not write it publishes it."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exceptions import NotADraft, OwnStatement
from app.models import Action, Negotiation, Revision, Role, Statement
from app.positions import position_histories
from app.statements.service import (
    ReviewFields,
    publish_statement,
    send_back_statement,
)
from app.users.service import system_user
from tests.factories import make_demand, make_negotiation, make_statement, make_user

MARK = "Unreviewed words about a ceasefire"


def reviewed_talks(session: Session) -> Negotiation:
    return make_negotiation(session, statements_need_review=True)


def draft(session: Session, negotiation: Negotiation, **overrides: object) -> Statement:
    demand = make_demand(session, negotiation=negotiation)
    return make_statement(session, demand=demand, summary=MARK, **overrides)


def test_a_statement_of_reviewed_talks_is_a_draft_and_of_others_public(session) -> None:
    assert draft(session, reviewed_talks(session)).is_draft
    assert not make_statement(session).is_draft  # the factory's talks, like the demo's: review off


def test_the_author_may_not_publish_their_own_statement_admins_included(session) -> None:
    statement = draft(session, reviewed_talks(session))
    author = system_user(session)  # the factory's author, an admin
    assert author.role == Role.ADMIN.value or author.writes_negotiations
    with pytest.raises(OwnStatement):
        publish_statement(session, statement, form_version=statement.version, user=author)
    with pytest.raises(OwnStatement):
        send_back_statement(
            session,
            statement,
            ReviewFields(comment="Check the date."),
            form_version=statement.version,
            user=author,
        )
    assert session.get(Statement, statement.id).is_draft


def test_another_editor_publishes_it_and_the_log_names_the_reviewer(session) -> None:
    statement = draft(session, reviewed_talks(session))
    reviewer = make_user(session, role=Role.ADMIN)
    published = publish_statement(session, statement, form_version=statement.version, user=reviewer)
    assert not published.is_draft
    last = session.scalars(
        select(Revision)
        .where(Revision.entity_type == "statement", Revision.entity_id == statement.id)
        .order_by(Revision.id.desc())
    ).first()
    assert last is not None and last.action == Action.PUBLISH and last.user_id == reviewer.id
    with pytest.raises(NotADraft):
        publish_statement(session, published, form_version=published.version, user=reviewer)


def test_sending_back_keeps_it_a_draft_with_the_comment(session) -> None:
    statement = draft(session, reviewed_talks(session))
    reviewer = make_user(session, role=Role.ADMIN)
    sent = send_back_statement(
        session,
        statement,
        ReviewFields(comment="The quote is not in the source."),
        form_version=statement.version,
        user=reviewer,
    )
    assert sent.is_draft and sent.review_comment == "The quote is not in the source."


def test_a_draft_is_in_no_position_until_published(session) -> None:
    talks = reviewed_talks(session)
    statement = draft(session, talks)
    today = dt.date.today()
    shown = {e.statement.id for e in position_histories(session, today)}
    assert statement.id not in shown
    publish_statement(
        session, statement, form_version=statement.version, user=make_user(session, role=Role.ADMIN)
    )
    shown = {e.statement.id for e in position_histories(session, today)}
    assert statement.id in shown


def anonymous_get_routes(app) -> list[str]:  # type: ignore[no-untyped-def]
    from app.links import declared_routes

    return [
        route.path
        for route in declared_routes(app)
        if "GET" in getattr(route, "methods", set()) and "{" not in route.path
    ]


def test_no_draft_reaches_an_anonymous_reader_on_any_route(session, client: TestClient) -> None:
    talks = reviewed_talks(session)
    statement = draft(session, talks, quote="A draft quote nobody may read yet.")
    paths = [
        f"/statements/{statement.id}",
        f"/api/statements/{statement.id}",
        f"/api/statements/{statement.id}/revisions",
        f"/talks/{talks.slug}",
        f"/talks/{talks.slug}/timeline",
        "/search?q=ceasefire",
        "/timeline?include_retracted=1",
        "/api/statements.csv?include_retracted=1",
        f"/sources/{statement.source_id}",
        *anonymous_get_routes(client.app),
    ]
    seen = []
    for path in paths:
        response = client.get(path)
        if response.status_code >= 500:
            seen.append((path, response.status_code))
        if MARK in response.text or "A draft quote" in response.text:
            seen.append((path, "draft shown"))
    assert seen == []
    assert client.get(f"/statements/{statement.id}").status_code == 404
    assert client.get(f"/api/statements/{statement.id}").status_code == 404


def test_an_editor_of_the_talks_sees_the_draft_marked(session, editor_client) -> None:
    talks = reviewed_talks(session)
    statement = draft(session, talks)
    response = editor_client.get(f"/statements/{statement.id}")
    assert response.status_code == 200
    assert "DRAFT" in response.text
    assert "public" not in response.headers["cache-control"]


def test_publish_by_form_refused_to_the_author_and_done_by_another(
    session, editor, editor_client
) -> None:
    from tests.editors import csrf_of

    talks = reviewed_talks(session)
    demand = make_demand(session, negotiation=talks)
    own = make_statement(session, demand=demand, summary=MARK)
    # The shared editor wrote this one (through the write path, as the form would).
    from app.statements.service import StatementFields, create_statement

    mine = create_statement(
        session,
        StatementFields(stance=own.stance, stated_on=own.stated_on, summary="Mine to review."),
        party=own_party(session, own),
        demand=demand,
        source=own_source(session, own),
        user=editor,
    )
    assert mine.is_draft, mine.published_at
    got = editor_client.get(f"/statements/{mine.id}")
    assert got.status_code == 200, got.text[-3000:]
    token = csrf_of(got)
    refused = editor_client.post(
        f"/statements/{mine.id}/publish",
        data={"csrf_token": token, "version": str(mine.version)},
    )
    assert refused.status_code == 403
    assert session.get(Statement, mine.id, populate_existing=True).is_draft
    # Another's draft: published, and a replay of the same form changes nothing more.
    done = editor_client.post(
        f"/statements/{own.id}/publish",
        data={"csrf_token": token, "version": str(own.version)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert not session.get(Statement, own.id, populate_existing=True).is_draft
    replay = editor_client.post(
        f"/statements/{own.id}/publish",
        data={"csrf_token": token, "version": str(own.version)},
        follow_redirects=False,
    )
    assert replay.status_code == 303


def test_a_stale_review_gets_409_and_the_current_text(session, editor_client) -> None:
    from tests.editors import csrf_of

    statement = draft(session, reviewed_talks(session))
    token = csrf_of(editor_client.get(f"/statements/{statement.id}"))
    response = editor_client.post(
        f"/statements/{statement.id}/publish",
        data={"csrf_token": token, "version": str(statement.version - 1 or 99)},
    )
    assert response.status_code == 409
    assert "changed after you opened it" in response.text and MARK in response.text
    assert session.get(Statement, statement.id, populate_existing=True).is_draft


def test_send_back_needs_a_comment(session, editor_client) -> None:
    from tests.editors import csrf_of

    statement = draft(session, reviewed_talks(session))
    token = csrf_of(editor_client.get(f"/statements/{statement.id}"))
    empty = editor_client.post(
        f"/statements/{statement.id}/send-back",
        data={"csrf_token": token, "version": str(statement.version), "comment": "  "},
    )
    assert empty.status_code == 422 and "Say what the author should change" in empty.text
    sent = editor_client.post(
        f"/statements/{statement.id}/send-back",
        data={"csrf_token": token, "version": str(statement.version), "comment": "Check it."},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    again = session.get(Statement, statement.id, populate_existing=True)
    assert again.is_draft and again.review_comment == "Check it."


def own_party(session: Session, statement: Statement):  # type: ignore[no-untyped-def]
    from app.models import Party

    return session.get(Party, statement.party_id)


def own_source(session: Session, statement: Statement):  # type: ignore[no-untyped-def]
    from app.models import Source

    return session.get(Source, statement.source_id)


def test_a_draft_adds_no_query_to_the_matrix(session, client: TestClient, queries) -> None:
    talks = reviewed_talks(session)
    demand = make_demand(session, negotiation=talks)
    published = make_statement(session, demand=demand)
    publish_statement(
        session, published, form_version=published.version, user=make_user(session, role=Role.ADMIN)
    )
    path = f"/talks/{talks.slug}"
    assert client.get(path).status_code == 200
    make_statement(session)  # any write: the next page is rendered afresh, not from the cache
    queries.clear()
    client.get(path)
    baseline = queries.count
    make_statement(session, demand=demand, party=own_party(session, published), summary=MARK)
    queries.clear()
    page = client.get(path)
    assert MARK not in page.text
    assert queries.count == baseline
