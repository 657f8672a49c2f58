"""Public corrections (issue 19 item 3): an edit of a published statement's stance, date,
party, demand, quote or source is announced with a note, on its page, on every cell that shows
it and in /corrections and its feed; a summary edit may be minor (history only)."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Revision, Statement, StatementCorrection
from app.statements.service import (
    CorrectionFields,
    CorrectionNeeded,
    StatementFields,
    update_statement,
)
from app.users.service import system_user
from tests.editors import counts, form_fields, post_form
from tests.factories import make_statement
from tests.html import parse

NOTE = "the date was 2 June, not 12 June"


def corrections_of(session: Session, statement: Statement) -> list[StatementCorrection]:
    session.expire_all()
    return list(
        session.scalars(
            select(StatementCorrection)
            .where(StatementCorrection.statement_id == statement.id)
            .order_by(StatementCorrection.id)
        )
    )


def edit_url(statement: Statement) -> str:
    return f"/statements/{statement.id}/edit"


def test_changing_the_stance_of_a_published_statement_without_a_note_is_refused(
    session, editor_client
) -> None:
    statement = make_statement(session, summary="Published words.")
    session.commit()
    before = counts(session)
    response = post_form(editor_client, edit_url(statement), edit_url(statement), {"stance": "-2"})
    assert response.status_code == 422
    error = parse(response).select_one("#correction_note-error")
    assert error is not None and "needs a correction note" in error.get_text()
    assert "the stance" in error.get_text()
    assert counts(session) == before
    assert session.get(Statement, statement.id, populate_existing=True).stance == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"stated_on": "2025-02-01"},
        {"quote": "Words said, now quoted."},
        # A new source is a change of source, refused before the source is made.
        {
            "source_url": "https://example.org/another-report",
            "source_title": "Another",
            "source_publisher": "Another Wire",
        },
        # A new demand likewise: refused before the demand is made.
        {"demand": "", "new_demand_title": "A demand typed in the statement form"},
    ],
)
def test_every_announced_field_needs_a_note_and_nothing_is_stored_without(
    session, editor_client, changes
) -> None:
    statement = make_statement(session)
    session.commit()
    before = counts(session)
    response = post_form(editor_client, edit_url(statement), edit_url(statement), changes)
    assert response.status_code == 422, response.text[-2000:]
    assert "needs a correction note" in response.text
    assert counts(session) == before


def test_a_correction_is_stored_through_the_write_path_and_shown_everywhere(
    session, editor_client, editor
) -> None:
    statement = make_statement(session, summary="A corrected statement.")
    session.commit()
    response = post_form(
        editor_client,
        edit_url(statement),
        edit_url(statement),
        {"stated_on": "2025-02-01", "correction_note": NOTE},
    )
    assert response.status_code == 303, response.text[-2000:]
    [correction] = corrections_of(session, statement)
    assert correction.note == NOTE and correction.field_names == ["stated_on"]
    assert correction.user_id == editor.id
    revision = session.get(Revision, correction.revision_id)
    assert revision is not None and revision.entity_id == statement.id
    assert revision.reason == NOTE and revision.snapshot["stated_on"] == "2025-02-01"
    stored = session.get(Statement, statement.id, populate_existing=True)
    assert stored.correction_note == NOTE and stored.corrected_at == correction.created_at

    page = parse(editor_client.get(f"/statements/{statement.id}"))
    assert NOTE in page.select_one("#corrections").get_text()
    assert "Corrected by" in page.select_one("#credit").get_text()
    # Every cell that shows it: the matrix, the party's and the demand's pages, the timeline.
    talks = stored.negotiation_id
    from app.models import Demand, Negotiation, Party

    negotiation = session.get(Negotiation, talks)
    party = session.get(Party, stored.party_id)
    demand = session.get(Demand, stored.demand_id)
    for path in (
        f"/talks/{negotiation.slug}?as_of=2025-12-31",
        f"/talks/{negotiation.slug}/parties/{party.slug}",
        f"/talks/{negotiation.slug}/demands/{demand.slug}",
        f"/talks/{negotiation.slug}/timeline",
    ):
        got = editor_client.get(path)
        assert got.status_code == 200, path
        marks = [m.get_text(" ", strip=True) for m in parse(got).select(".correction-mark")]
        assert any(NOTE in m and m.startswith("corrected") for m in marks), (path, marks)


def test_a_summary_edit_may_be_minor_and_is_not_announced(session, editor_client) -> None:
    statement = make_statement(session, summary="First wording.")
    session.commit()
    response = post_form(
        editor_client,
        edit_url(statement),
        edit_url(statement),
        {"summary": "Better wording.", "minor": "on", "correction_note": "typo"},
    )
    assert response.status_code == 303, response.text[-2000:]
    assert corrections_of(session, statement) == []
    last = session.scalars(
        select(Revision)
        .where(Revision.entity_type == "statement", Revision.entity_id == statement.id)
        .order_by(Revision.id.desc())
    ).first()
    assert last is not None and last.snapshot["summary"] == "Better wording."
    assert last.reason == "typo"  # kept in the history
    assert "typo" not in editor_client.get("/corrections").text


def test_minor_is_refused_for_an_announced_change(session, editor_client) -> None:
    statement = make_statement(session)
    session.commit()
    before = counts(session)
    response = post_form(
        editor_client,
        edit_url(statement),
        edit_url(statement),
        {"stance": "-1", "minor": "on", "correction_note": "the stance was wrong"},
    )
    assert response.status_code == 422
    assert "Only an edit of the summary" in parse(response).select_one("#minor-error").get_text()
    assert counts(session) == before


@pytest.mark.parametrize("note", ["x" * 1001, "bad\x00note"])
def test_a_hostile_note_is_refused_with_the_text_kept(session, editor_client, note) -> None:
    statement = make_statement(session)
    session.commit()
    before = counts(session)
    response = post_form(
        editor_client,
        edit_url(statement),
        edit_url(statement),
        {"stance": "-1", "correction_note": note},
    )
    assert response.status_code == 422
    assert parse(response).select_one("#correction_note-error") is not None
    assert counts(session) == before


def test_a_draft_is_edited_without_a_note(session) -> None:
    from app.models import Role
    from tests.factories import make_demand, make_negotiation, make_user

    talks = make_negotiation(session, statements_need_review=True)
    statement = make_statement(session, demand=make_demand(session, negotiation=talks))
    assert statement.is_draft
    fields = StatementFields(stance=-1, stated_on=dt.date(2025, 1, 1), summary="Redrafted.")
    from app.models import Demand, Party, Source

    updated = update_statement(
        session,
        statement,
        fields,
        party=session.get_one(Party, statement.party_id),
        demand=session.get_one(Demand, statement.demand_id),
        source=session.get_one(Source, statement.source_id),
        form_version=statement.version,
        user=make_user(session, role=Role.ADMIN),
    )
    assert updated.corrected_at is None and corrections_of(session, statement) == []


def test_the_service_refuses_any_caller_without_a_note(session) -> None:
    from app.models import Demand, Party, Source

    statement = make_statement(session)
    fields = StatementFields(stance=-2, stated_on=statement.stated_on, summary=statement.summary)
    with pytest.raises(CorrectionNeeded):
        update_statement(
            session,
            statement,
            fields,
            party=session.get_one(Party, statement.party_id),
            demand=session.get_one(Demand, statement.demand_id),
            source=session.get_one(Source, statement.source_id),
            form_version=statement.version,
            user=system_user(session),
            correction=CorrectionFields(note=""),
        )
    assert session.scalar(select(func.count()).select_from(StatementCorrection)) == 0


def correct(session: Session, statement: Statement, note: str, **changes: object) -> Statement:
    from app.models import Demand, Party, Source

    values = {
        "stance": statement.stance,
        "stated_on": statement.stated_on,
        "summary": statement.summary,
        **changes,
    }
    return update_statement(
        session,
        statement,
        StatementFields(**values),  # type: ignore[arg-type]
        party=session.get_one(Party, statement.party_id),
        demand=session.get_one(Demand, statement.demand_id),
        source=session.get_one(Source, statement.source_id),
        form_version=statement.version,
        user=system_user(session),
        correction=CorrectionFields(note=note),
    )


def test_corrections_page_lists_them_newest_first_in_one_query(session, client, queries) -> None:
    first = make_statement(session, summary="One.")
    second = make_statement(session, summary="Two.")
    first = correct(session, first, "the stance was open, not accepts", stance=0)
    second = correct(session, second, NOTE, stated_on=dt.date(2025, 2, 1))
    assert client.get("/corrections").status_code == 200
    make_statement(session)  # a write: the next render is fresh, not the render cache's
    queries.clear()
    page = client.get("/corrections")
    assert page.status_code == 200
    # The data version (the ETag's, app/caching.py) and the page's one.
    assert queries.count == 2, queries.statements
    items = parse(page).select("#corrections-list li")
    assert [int(li["data-statement"]) for li in items] == [second.id, first.id]
    assert NOTE in items[0].get_text()


def test_a_bad_corrections_cursor_is_a_400_naming_it(client) -> None:
    response = client.get("/corrections", params={"before": "9" * 5000})
    assert response.status_code == 400 and "before" in response.text


def _entry(client, url: str, statement_id: int):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    found = [e for e in feed.entries if e.id.endswith(f":statement/{statement_id}")]
    assert len(found) == 1, url  # one entry per statement, however often it was corrected
    return found[0]


def test_a_correction_updates_its_entry_in_every_feed(session, client) -> None:
    """Issue 20: a correction keeps the statement's entry id, with a newer `updated` and the
    note in words, in the corrections feed and every feed that shows the statement."""
    statement = make_statement(session, summary="Corrected twice.")
    session.commit()
    from app.models import Demand, Negotiation, Party

    demand_row = session.get_one(Demand, statement.demand_id)
    talks = session.get_one(Negotiation, demand_row.negotiation_id).slug
    party, demand = session.get_one(Party, statement.party_id).slug, demand_row.slug
    feeds = [
        f"/talks/{talks}/timeline.atom",
        f"/talks/{talks}/parties/{party}/feed.atom",
        f"/talks/{talks}/demands/{demand}/feed.atom",
        f"/talks/{talks}/parties/{party}/demands/{demand}/feed.atom",
    ]
    before = {url: _entry(client, url, statement.id) for url in feeds}
    statement = correct(session, statement, "first note", stance=0)
    statement = correct(session, statement, "second note", stance=-1)
    session.commit()
    after = {url: _entry(client, url, statement.id) for url in [*feeds, "/corrections.atom"]}
    ids = {entry.id for entry in after.values()}
    assert ids == {before[feeds[0]].id}  # the same id everywhere, before and after
    for url, entry in after.items():
        assert "Corrected on" in entry.summary and "second note." in entry.summary, url
        assert "Corrected: " in entry.title, url  # the corrections feed names the talks first
        assert [t.term for t in entry.tags][:1] == ["correction"], url
        if url in before:
            assert dt.datetime.fromisoformat(entry.updated) > dt.datetime.fromisoformat(
                before[url].updated
            ), url
            assert entry.published == before[url].published, url
    assert len({entry.updated for entry in after.values()}) == 1


def test_the_edit_form_of_a_published_statement_asks_for_the_note(session, editor_client) -> None:
    statement = make_statement(session)
    session.commit()
    page = editor_client.get(edit_url(statement))
    fields = form_fields(page)
    assert "correction_note" in fields and "minor" not in fields  # unticked
    assert parse(page).select_one("#correction legend").get_text() == "Correction"
