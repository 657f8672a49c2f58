"""Adding and editing statements through the real forms, with real CSRF tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from app.models import Demand, Party, Revision, Source, Statement
from tests.editors import counts, form_fields, log_in, post_form
from tests.factories import make_source, make_statement
from tests.html import one, parse, words


def new_statement(**changes: str) -> dict[str, str]:
    values = {
        "party": "1",
        "demand": "1",
        "stance": "-1",
        "stated_on": "2025-03-04",
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


def add(client: TestClient, **changes: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/statements/new", "/statements/new", new_statement(**changes))


def statement_id_from(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


def test_the_add_form_has_every_label_the_issue_names(editor_client) -> None:
    page = parse(editor_client.get("/statements/new"))
    labels = {words(label).replace(" (required)", "") for label in page.select("form label")}
    legends = {words(legend).replace(" (required)", "") for legend in page.select("legend")}
    for label in [
        "Party",
        "Demand",
        "Date stated",
        "Speaker",
        "Summary",
        "Quote",
        "Source URL",
        "Source title",
        "Publisher",
        "Published on",
        "Source kind",
    ]:
        assert label in labels, label
    assert "Stance" in legends
    radios = page.select("input[type=radio][name=stance]")
    assert [words(page.select_one(f"label[for={r['id']}]")) for r in radios] == [
        "▲▲ insists (+2)",
        "▲ accepts (+1)",
        "◆ open / conditional (0)",
        "▼ rejects (−1)",
        "▼▼ red line (−2)",
        "⊘ declined to say (off the scale)",
        "? ambiguous (off the scale)",
    ]
    for element in page.select("form input:not([type=hidden]), form select, form textarea"):
        if element.get("type") == "radio":
            continue
        assert page.select_one(f"label[for={element['id']}]") is not None, element


def test_an_editor_adds_a_statement_with_a_new_source(editor_client, session, editor) -> None:
    before = counts(session)
    response = add(editor_client)
    statement_id = statement_id_from(response)
    after = counts(session)
    assert after["Statement"] == before["Statement"] + 1
    assert after["Source"] == before["Source"] + 1
    assert after["Revision"] == before["Revision"] + 2
    page = parse(editor_client.get(response.headers["location"]))
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
    assert "Ed Itor" in words(one(page, "#history"))


def test_pasting_a_known_source_url_reuses_it(editor_client, session) -> None:
    source = make_source(session, url="https://known.example.org/a")
    session.commit()
    before = counts(session)
    response = add(
        editor_client,
        source_url="https://known.example.org/a",
        source_title="",
        source_publisher="",
        source_published_on="",
    )
    statement = session.get(Statement, statement_id_from(response))
    assert statement.source_id == source.id
    assert counts(session)["Source"] == before["Source"]


def test_month_and_year_precision_are_typed_as_a_month_or_a_year(editor_client, session) -> None:
    month = add(editor_client, stated_on="2024-06")
    statement = session.get(Statement, statement_id_from(month))
    assert (statement.stated_on, statement.stated_on_precision) == (dt.date(2024, 6, 1), "month")
    year = add(
        editor_client,
        stated_on="2022",
        source_url="https://news.example.org/other",
        source_published_on="2022",
    )
    statement = session.get(Statement, statement_id_from(year))
    assert (statement.stated_on, statement.stated_on_precision) == (dt.date(2022, 1, 1), "year")
    source = session.get(Source, statement.source_id)
    assert (source.published_on, source.published_on_precision) == (dt.date(2022, 1, 1), "year")


FUTURE = (dt.date.today() + dt.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stated_on": "2025-02-30"}, "stated_on", "not a real calendar date"),
        ({"stated_on": "2025-13-01"}, "stated_on", "not a real calendar date"),
        ({"stated_on": "yesterday"}, "stated_on", "YYYY-MM-DD"),
        ({"stated_on": FUTURE}, "stated_on", "future"),
        ({"stated_on": "2024-6"}, "stated_on", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ({"stated_on": "32025-01-31"}, "stated_on", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ({"stated_on": "2024-02-30"}, "stated_on", "not a real calendar date"),
        ({"party": "999999"}, "party", "Choose a party"),
        ({"party": "99999999999999999999"}, "party", "Choose a party"),
        ({"demand": "abc"}, "demand", "Choose a demand"),
        ({"stance": "3"}, "stance", "five stances"),
        ({"stance": ""}, "stance", "five stances"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "http"),
        ({"source_url": "data:text/html,hi"}, "source_url", "http"),
        ({"source_url": "ftp://example.org/file"}, "source_url", "http"),
        ({"source_url": ""}, "source_url", "web address"),
        ({"summary": ""}, "summary", "required"),
        ({"summary": "   "}, "summary", "required"),
        ({"summary": "x" * 1001}, "summary", "at most 1000"),
        ({"quote": "q" * 4001}, "quote", "at most 4000"),
        ({"speaker": "s" * 201}, "speaker", "at most 200"),
        ({"source_title": "t" * 501}, "source_title", "at most 500"),
        ({"source_title": ""}, "source_title", "needs its source title"),
        ({"summary": "nul \x00 byte"}, "summary", "control characters"),
        ({"quote": "nul \x00 byte"}, "quote", "control characters"),
        ({"speaker": "nul \x00"}, "speaker", "control characters"),
        ({"source_publisher": "nul \x00"}, "source_publisher", "control characters"),
        ({"source_published_on": "2025-02-30"}, "source_published_on", "not a real"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(
    editor_client, session, changes, field: str, message: str
) -> None:
    before = counts(session)
    response = add(editor_client, **changes)
    assert response.status_code == 422
    page = parse(response)
    error = one(page, f"#{field}-error")
    assert message in words(error)
    assert one(page, f"#form-problems a[href='#{field}']")
    # Everything typed is still in the form.
    kept = form_fields(response)
    for name, value in new_statement(**changes).items():
        if name != field and "\x00" not in value:
            assert kept.get(name, "") == value, name
    assert counts(session) == before


def test_invalid_utf8_is_refused_and_changes_nothing(editor_client, session) -> None:
    page = editor_client.get("/statements/new")
    fields = {**form_fields(page), **new_statement()}
    from urllib.parse import urlencode

    body = urlencode({k: v for k, v in fields.items() if k != "summary"}) + "&summary=%FF%FEbad"
    before = counts(session)
    response = editor_client.post(
        "/statements/new",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "could not be read" in words(one(parse(response), "#summary-error"))
    assert counts(session) == before


def test_a_100_kb_body_is_refused_with_a_message(editor_client, session) -> None:
    before = counts(session)
    response = add(editor_client, summary="x" * 100_000)
    assert response.status_code == 422
    assert "at most 1000" in words(one(parse(response), "#summary-error"))
    huge = add(editor_client, quote="q" * 300_000)
    assert huge.status_code == 413
    assert "too large" in words(one(parse(huge), "[role=alert]"))
    assert counts(session) == before


MARKUP = '<script>alert(1)</script>" onmouseover="alert(2)'


def test_markup_in_every_text_field_is_shown_as_text_everywhere(editor_client, session) -> None:
    response = add(
        editor_client,
        speaker=MARKUP,
        summary=MARKUP,
        quote=MARKUP,
        source_url="https://news.example.org/x?a=%22onmouseover%3D",
        source_title=MARKUP,
        source_publisher=MARKUP,
    )
    statement_id = statement_id_from(response)
    for url in [
        f"/statements/{statement_id}",
        f"/statements/{statement_id}/edit",
        "/?as_of=2025-03-04",
        "/edit/sources",
    ]:
        page = editor_client.get(url)
        assert page.status_code == 200
        assert "<script>alert(1)" not in page.text, url
        soup = parse(page)
        assert not soup.select("script:not([src])"), url
        assert not soup.select("[onmouseover]"), url
    show = parse(editor_client.get(f"/statements/{statement_id}"))
    assert MARKUP in words(one(show, ".quote"))
    assert MARKUP in words(one(show, "#history"))


def test_a_double_submitted_add_form_creates_one_statement(editor_client, session) -> None:
    page = editor_client.get("/statements/new")
    data = {**form_fields(page), **new_statement()}
    before = counts(session)
    first = editor_client.post("/statements/new", data=data, follow_redirects=False)
    again = editor_client.post("/statements/new", data=data, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert counts(session)["Statement"] == before["Statement"] + 1


def test_editing_records_a_revision_with_a_field_by_field_diff(editor_client, session) -> None:
    statement = make_statement(session, summary="First wording.")
    session.commit()
    response = post_form(
        editor_client,
        f"/statements/{statement.id}/edit",
        f"/statements/{statement.id}/edit",
        # A published statement's stance changes only with a public correction note (issue 19).
        {"summary": "Second wording.", "stance": "2", "correction_note": "the stance was 1"},
    )
    assert response.status_code == 303
    page = parse(editor_client.get(f"/statements/{statement.id}"))
    latest = page.select("#history .revision")[0]
    assert latest["data-version"] == "2" and latest["data-action"] == "edit"
    assert "Ed Itor" in words(latest)
    assert {row["data-field"] for row in latest.select("tr[data-field]")} == {"summary", "stance"}
    summary = one(latest, "tr[data-field=summary]")
    assert words(one(summary, ".diff__before")) == "First wording."
    assert words(one(summary, ".diff__after")) == "Second wording."
    assert "insists" in words(one(latest, "tr[data-field=stance] .diff__after"))


def test_a_stale_save_is_refused_with_both_versions_and_can_be_applied_on_top(
    client, session, editor, admin
) -> None:
    statement = make_statement(session, summary="Original.", speaker="Original speaker")
    session.commit()
    first, second = client, TestClient(client.app)
    log_in(first, editor)
    log_in(second, admin)
    url = f"/statements/{statement.id}/edit"
    form_one = form_fields(first.get(url))
    form_two = form_fields(second.get(url))
    saved = first.post(url, data={**form_one, "summary": "First editor's."}, follow_redirects=False)
    assert saved.status_code == 303
    before = counts(session)
    stale = second.post(
        url, data={**form_two, "speaker": "Second editor's speaker"}, follow_redirects=False
    )
    assert stale.status_code == 409
    assert counts(session) == before
    page = parse(stale)
    rows = {words(r.th).replace(" differs", ""): r for r in page.select(".conflict-table tbody tr")}
    assert "differs" in rows["Summary"]["class"]
    assert words(rows["Summary"].select("td")[0]) == "First editor's."
    assert words(rows["Summary"].select("td")[1]) == "Original."
    assert words(rows["Speaker"].select("td")[1]) == "Second editor's speaker"
    # The known source is shown read-only, so neither side changed it (issue 14).
    source_rows = ("Source title", "Publisher", "Published on", "Source kind")
    assert [n for n in source_rows if n in rows and "differs" in rows[n].get("class", [])] == []
    # The form holds their change on top of the stored version: the speaker they typed, and the
    # colleague's summary (they did not touch it), at the stored version.
    resubmit = form_fields(stale)
    assert resubmit["speaker"] == "Second editor's speaker"
    assert resubmit["summary"] == "First editor's."
    assert resubmit["version"] == "2"
    assert not page.select(".differs-mark--both")
    applied = second.post(url, data=resubmit, follow_redirects=False)
    assert applied.status_code == 303
    session.expire_all()
    stored = session.get(Statement, statement.id)
    assert (stored.summary, stored.speaker, stored.version) == (
        "First editor's.",
        "Second editor's speaker",
        3,
    )


def test_retract_needs_a_reason_then_restore_brings_it_back(editor_client, session) -> None:
    statement = make_statement(session, stated_on=dt.date(2020, 1, 1))
    session.commit()
    url = f"/statements/{statement.id}/retract"
    before = counts(session)
    refused = post_form(editor_client, url, url, {"reason": "  "})
    assert refused.status_code == 422
    assert "Say why" in words(one(parse(refused), "#reason-error"))
    assert counts(session) == before

    retracted = post_form(editor_client, url, url, {"reason": "The source corrected itself."})
    assert retracted.status_code == 303
    page = editor_client.get(f"/statements/{statement.id}")
    assert page.status_code == 200
    assert "The source corrected itself." in words(one(parse(page), "[role=note]"))
    matrix = parse(editor_client.get("/?as_of=2020-01-02"))
    assert not matrix.select(f"#matrix a[href='/statements/{statement.id}']")

    restore = editor_client.post(
        f"/statements/{statement.id}/restore",
        data=form_fields(page, "form[action$='/restore']"),
        follow_redirects=False,
    )
    assert restore.status_code == 303
    matrix = parse(editor_client.get("/?as_of=2020-01-02"))
    assert matrix.select(f"#matrix a[href='/statements/{statement.id}']")
    actions = session.scalars(
        select(Revision.action)
        .where(Revision.entity_type == "statement", Revision.entity_id == statement.id)
        .order_by(Revision.version)
    ).all()
    assert actions == ["create", "retract", "restore"]


def test_a_stale_restore_is_refused_with_409(editor_client, session) -> None:
    statement = make_statement(session)
    session.commit()
    url = f"/statements/{statement.id}/retract"
    post_form(editor_client, url, url, {"reason": "Wrong party."})
    before = counts(session)
    response = editor_client.post(
        f"/statements/{statement.id}/restore",
        data={"csrf_token": form_fields(editor_client.get(url))["csrf_token"], "version": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 409
    assert counts(session) == before
    again = editor_client.post(
        f"/statements/{statement.id}/restore", data=form_fields(response), follow_redirects=False
    )
    assert again.status_code == 303


def test_an_earlier_revision_is_brought_back_as_a_new_revision(editor_client, session) -> None:
    statement = make_statement(session, summary="Version one.")
    session.commit()
    edit = f"/statements/{statement.id}/edit"
    post_form(editor_client, edit, edit, {"summary": "Version two."})
    page = editor_client.get(f"/statements/{statement.id}")
    form = parse(page).select_one("form[action*='/bring-back/'] button")
    assert "Bring back version 1" in words(form)
    action = form.find_parent("form")["action"]
    response = editor_client.post(
        action, data=form_fields(page, f"form[action='{action}']"), follow_redirects=False
    )
    assert response.status_code == 303
    session.expire_all()
    stored = session.get(Statement, statement.id)
    assert (stored.summary, stored.version) == ("Version one.", 3)
    latest = parse(editor_client.get(f"/statements/{statement.id}")).select("#history .revision")[0]
    assert latest["data-action"] == "revert"
    assert "brought back version 1" in words(latest)


def test_history_is_shown_to_readers_without_editor_controls(client, session) -> None:
    statement = make_statement(session)
    session.commit()
    response = client.get(f"/statements/{statement.id}")
    page = parse(response)
    assert page.select("#history .revision")
    assert not page.select(".editor-controls, form[action*='bring-back']")
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/statements/99999999999/edit"),
        ("get", "/statements/2147483648/retract"),
        ("post", "/statements/99999999999/edit"),
        ("post", "/statements/99999999999999999999/restore"),
        ("post", "/statements/1/bring-back/99999999999"),
        ("get", "/edit/parties/2147483648"),
        ("post", "/edit/sources/99999999999"),
        ("get", "/admin/users/99999999999"),
    ],
)
def test_ids_beyond_the_integer_range_are_404(admin_client, session, method, path) -> None:
    token = form_fields(admin_client.get("/statements/new"))["csrf_token"]
    before = counts(session)
    if method == "get":
        response = admin_client.get(path)
    else:
        response = admin_client.post(path, data={"csrf_token": token, "version": "1"})
    assert response.status_code == 404
    assert counts(session) == before


def test_query_counts_of_the_editor_pages(editor_client, queries) -> None:
    queries.clear()
    editor_client.get("/statements/new")
    # the user, the negotiations the editor edits (all, here), parties, demands, and what a
    # statement may answer (issue 17): the versions, their points; and the header's
    # "Review (n)" (issue 19) on every editor's page: not folded into the user's query because
    # the account (core) must not know about statements (a feature).
    assert queries.count == 7
    queries.clear()
    editor_client.get("/statements/1/edit")
    # the user, the statement with its source and party, its conditions, negotiations,
    # parties, demands, versions, points; the header's review count
    assert queries.count == 9
    queries.clear()
    editor_client.get("/statements/1")
    # The user, the statement, its previous and next (one query), its conditions and the
    # options of its offer (issue 18), its revisions with their authors, the names in the diffs;
    # the credit's publication and corrections (issue 19), the header's review count.
    assert queries.count == 10, queries.statements


def test_a_commit_that_fails_never_answers_with_success(app, session, editor) -> None:
    from sqlalchemy.orm import Session as OrmSession

    with TestClient(app, raise_server_exceptions=False) as client:
        log_in(client, editor)
        page = client.get("/statements/new")
        data = {**form_fields(page), **new_statement()}
        before = counts(session)

        def refuse(orm_session) -> None:  # type: ignore[no-untyped-def]
            # The request's own commit, not the savepoint the idempotent insert uses.
            if not orm_session.in_nested_transaction():
                raise RuntimeError("the database refused the commit")

        event.listen(OrmSession, "before_commit", refuse)
        try:
            response = client.post("/statements/new", data=data, follow_redirects=False)
        finally:
            event.remove(OrmSession, "before_commit", refuse)
    assert response.status_code == 500
    assert counts(session) == before


def test_the_database_refuses_a_second_statement_for_one_submission(session) -> None:
    from sqlalchemy.exc import IntegrityError

    from app.statements.service import StatementFields, create_statement
    from app.users.service import system_user

    first = make_statement(session)
    fields = StatementFields(stance=1, stated_on=dt.date(2025, 1, 1), summary="Once.")
    kwargs = {
        "party": session.get(Party, first.party_id),
        "demand": session.get(Demand, first.demand_id),
        "source": session.get(Source, first.source_id),
        "user": system_user(session),
        "submission_key": "k" * 32,
    }
    create_statement(session, fields, **kwargs)
    with pytest.raises(IntegrityError), session.begin_nested():
        create_statement(session, fields, **kwargs)


def test_suggestions_for_an_expired_session_say_so_in_place(client) -> None:
    response = client.get("/edit/sources/suggest?source_url=peace", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert "log in again" in response.text


def test_source_suggestions_match_url_or_title(editor_client) -> None:
    response = editor_client.get(
        "/edit/sources/suggest?source_url=Prospects", headers={"HX-Request": "true"}
    )
    assert "Challenges And Prospects" in words(one(parse(response), ".suggestion"))
    assert not parse(editor_client.get("/edit/sources/suggest?source_url=%25")).select(
        ".suggestion"
    )
