"""`/review` (issue 19 item 2): the drafts an editor may review, a count in the header, publish
and send back in place (htmx) and without scripts; self-review refused on every path."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Demand, Negotiation, Party, Role, Source, Statement, User
from app.statements.service import StatementFields, create_statement, update_statement
from tests.editors import csrf_of, log_in
from tests.factories import make_demand, make_negotiation, make_statement, make_user
from tests.html import parse

MARK = "Words waiting for a second pair of eyes"
HTMX = {"HX-Request": "true"}


def talks(session: Session) -> Negotiation:
    return make_negotiation(session, statements_need_review=True)


def draft_by(session: Session, user: User, negotiation: Negotiation, **values: object) -> Statement:
    seed = make_statement(session, demand=make_demand(session, negotiation=negotiation))
    fields = {"stance": 1, "stated_on": seed.stated_on, "summary": MARK, **values}
    return create_statement(
        session,
        StatementFields(**fields),  # type: ignore[arg-type]
        party=session.get_one(Party, seed.party_id),
        demand=session.get_one(Demand, seed.demand_id),
        source=session.get_one(Source, seed.source_id),
        user=user,
    )


def queue_ids(client: TestClient) -> list[int]:
    page = client.get("/review")
    assert page.status_code == 200, page.text[-2000:]
    return [int(li["data-statement"]) for li in parse(page).select("#review-queue li")]


def test_the_queue_holds_others_drafts_of_my_talks_and_the_header_counts_them(
    session, editor, editor_client
) -> None:
    negotiation = talks(session)
    # The editor edits these talks only: another negotiation's drafts are not theirs to review.
    editor.all_negotiations = False
    editor.granted = [negotiation]
    session.commit()
    other = make_user(session)
    theirs = draft_by(session, other, negotiation)
    mine = draft_by(session, editor, negotiation)
    elsewhere = draft_by(session, other, talks(session))
    session.commit()
    ids = queue_ids(editor_client)
    assert theirs.id in ids and mine.id not in ids and elsewhere.id not in ids
    assert parse(editor_client.get("/review")).select_one("#review-count").get_text() == str(
        len(ids)
    )
    # Every item is marked a draft.
    assert all(
        li.select_one(".draft-mark")
        for li in parse(editor_client.get("/review")).select("#review-queue li")
    )


def test_publish_in_place_with_htmx_and_without_scripts(session, editor_client) -> None:
    negotiation = talks(session)
    other = make_user(session)
    first = draft_by(session, other, negotiation)
    second = draft_by(session, other, negotiation)
    session.commit()
    page = editor_client.get("/review")
    token = csrf_of(page)
    item = parse(page).select_one(f"#draft-{first.id}")
    form = item.select_one("form[data-hx-post]")
    assert form["action"] == f"/statements/{first.id}/publish"
    swapped = editor_client.post(
        form["action"],
        data={"csrf_token": token, "version": str(first.version), "from": "review"},
        headers=HTMX,
    )
    assert swapped.status_code == 200
    fragment = parse(swapped)
    assert fragment.select_one("html") is None  # only the item
    assert "Published" in fragment.select_one(f"#draft-{first.id}").get_text()
    assert not session.get(Statement, first.id, populate_existing=True).is_draft
    plain = editor_client.post(
        f"/statements/{second.id}/send-back",
        data={
            "csrf_token": token,
            "version": str(second.version),
            "from": "review",
            "comment": "Check the date.",
        },
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == "/review?saved=1"
    again = session.get(Statement, second.id, populate_existing=True)
    assert again.is_draft and again.review_comment == "Check the date."


def test_a_stale_review_in_place_gets_409_and_the_current_text(session, editor_client) -> None:
    negotiation = talks(session)
    other = make_user(session)
    statement = draft_by(session, other, negotiation)
    session.commit()
    page = editor_client.get("/review")
    token = csrf_of(page)
    # The author rewrites it after the reviewer opened the queue.
    update_statement(
        session,
        statement,
        StatementFields(stance=1, stated_on=statement.stated_on, summary="Rewritten meanwhile."),
        party=session.get_one(Party, statement.party_id),
        demand=session.get_one(Demand, statement.demand_id),
        source=session.get_one(Source, statement.source_id),
        form_version=statement.version,
        user=other,
    )
    session.commit()
    for headers in (HTMX, {}):
        response = editor_client.post(
            f"/statements/{statement.id}/publish",
            data={"csrf_token": token, "version": "1", "from": "review"},
            headers=headers,
        )
        assert response.status_code == 409
        assert "Rewritten meanwhile." in response.text
        assert "changed after you opened it" in response.text
    assert session.get(Statement, statement.id, populate_existing=True).is_draft


def test_self_review_is_refused_on_every_path_admins_included(session, app, admin) -> None:
    """The form on the draft's page, the queue's form with and without htmx, a replay."""
    negotiation = talks(session)
    statement = draft_by(session, admin, negotiation)
    session.commit()
    with TestClient(app) as client:
        log_in(client, admin)
        assert statement.id not in queue_ids(client)
        token = csrf_of(client.get(f"/statements/{statement.id}"))
        for action in ("publish", "send-back"):
            for extra, headers in (({}, {}), ({"from": "review"}, {}), ({"from": "review"}, HTMX)):
                for _replay in range(2):
                    response = client.post(
                        f"/statements/{statement.id}/{action}",
                        data={
                            "csrf_token": token,
                            "version": str(statement.version),
                            "comment": "Looks fine to me.",
                            **extra,
                        },
                        headers=headers,
                        follow_redirects=False,
                    )
                    assert response.status_code == 403, (action, extra, headers)
    stored = session.get(Statement, statement.id, populate_existing=True)
    assert stored.is_draft and stored.review_comment is None


def test_a_reviewer_who_rewrote_the_draft_may_not_publish_it(session, editor, editor_client):  # type: ignore[no-untyped-def]
    negotiation = talks(session)
    statement = draft_by(session, make_user(session), negotiation)
    update_statement(
        session,
        statement,
        StatementFields(stance=-1, stated_on=statement.stated_on, summary="The reviewer's words."),
        party=session.get_one(Party, statement.party_id),
        demand=session.get_one(Demand, statement.demand_id),
        source=session.get_one(Source, statement.source_id),
        form_version=statement.version,
        user=editor,
    )
    session.commit()
    assert statement.id not in queue_ids(editor_client)
    token = csrf_of(editor_client.get("/review"))
    response = editor_client.post(
        f"/statements/{statement.id}/publish",
        data={"csrf_token": token, "version": str(statement.version + 1), "from": "review"},
    )
    assert response.status_code == 403


def test_the_queue_and_its_count_cost_a_fixed_number_of_queries(
    session, editor_client, queries
) -> None:
    negotiation = talks(session)
    other = make_user(session)
    draft_by(session, other, negotiation)
    session.commit()
    queries.clear()
    assert editor_client.get("/review").status_code == 200
    few = queries.count
    for _ in range(5):
        draft_by(session, other, negotiation)
    session.commit()
    queries.clear()
    assert editor_client.get("/review").status_code == 200
    assert queries.count == few, queries.statements
    # The user, the queue and the header's count.
    assert few <= 4, queries.statements


def test_the_header_shows_no_count_to_readers(client) -> None:
    page = parse(client.get("/"))
    assert page.select_one("#review-link") is None


def test_draft_is_marked_on_its_edit_form(session, editor_client) -> None:
    statement = draft_by(session, make_user(session), talks(session))
    session.commit()
    page = parse(editor_client.get(f"/statements/{statement.id}/edit"))
    assert page.select_one(".page-head .draft-mark").get_text() == "DRAFT"
    assert page.select_one("#correction") is None  # a draft needs no correction note


def test_an_admin_turns_review_on_and_off_for_a_negotiation(session, admin_client) -> None:
    negotiation = talks(session)
    session.commit()
    url = f"/edit/negotiations/{negotiation.id}"
    page = admin_client.get(url)
    assert page.status_code == 200, page.text[-1000:]
    chosen = parse(page).select_one("select[name=statements_need_review] option[selected]")
    assert chosen is not None and chosen["value"] == "True"
    from tests.editors import post_form

    response = post_form(admin_client, url, url, {"statements_need_review": "False"})
    assert response.status_code == 303, response.text[-2000:]
    assert not session.get(
        Negotiation, negotiation.id, populate_existing=True
    ).statements_need_review
    for hostile in ("maybe", "\x00", "9" * 5000):
        refused = post_form(admin_client, url, url, {"statements_need_review": hostile})
        assert refused.status_code in (400, 422), hostile
    assert not session.get(
        Negotiation, negotiation.id, populate_existing=True
    ).statements_need_review


def test_an_editor_is_not_given_the_review_switch(session, editor_client) -> None:
    negotiation = talks(session)
    session.commit()
    response = editor_client.get(f"/edit/negotiations/{negotiation.id}")
    assert response.status_code in (403, 404)


def test_review_queue_is_for_editors(client) -> None:
    response = client.get("/review", follow_redirects=False)
    assert response.status_code in (303, 302) and "/login" in response.headers["location"]


_ = Role
