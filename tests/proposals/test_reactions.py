"""Reactions (issue 17): a statement answers a proposal version, or one point of it ("Ukraine
rejects point 21"); the proposal's pages show each point's published reactions as of a date."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import ProposalPoint, Revision, Statement
from app.models.base import utcnow
from app.stances import Stance
from app.statements.service import AnswerProblem
from tests.editors import counts, form_fields, post_form
from tests.factories import make_party, make_statement
from tests.html import one, parse, words
from tests.proposals.plans import Talks, make_proposal, make_talks, make_version, points
from tests.statements.test_editing import add, statement_id_from


def _plan(session: Session, count: int = 3):  # type: ignore[no-untyped-def]
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    first = make_version(session, talks, proposal, "First draft", points(talks, count))
    second = make_version(
        session, talks, proposal, "Second draft", points(talks, count, lineage=True)
    )
    return talks, proposal, first, second


def _point(session: Session, version_id: int, number: str) -> ProposalPoint:
    return session.scalars(
        select(ProposalPoint).where(
            ProposalPoint.version_id == version_id, ProposalPoint.number == number
        )
    ).one()


def _react(session: Session, talks: Talks, **overrides: object) -> Statement:
    values: dict[str, object] = {
        "demand": talks.demands[0],
        "party": talks.mediator,
        "stance": Stance.REJECTS,
        "summary": "Rejects point 1 of the plan.",
        "stated_on": dt.date(2025, 11, 25),
    }
    values.update(overrides)
    return make_statement(session, **values)  # type: ignore[arg-type]


def _base(talks: Talks, proposal) -> str:  # type: ignore[no-untyped-def]
    return f"/talks/{talks.negotiation.slug}/proposals/{proposal.slug}"


def test_a_point_shows_its_published_reactions_as_of_the_pages_date(client, session) -> None:
    talks, proposal, first, second = _plan(session)
    point_1 = _point(session, second.id, "1")
    other = make_party(session, name="Other side")
    rejects = _react(session, talks, answers_point_id=point_1.id)
    whole = _react(
        session,
        talks,
        party=other,
        stance=Stance.OPEN,
        summary="Open to the second draft.",
        stated_on=dt.date(2025, 11, 22),
        answers_version_id=second.id,
    )
    # A draft and a retracted statement are never reactions.
    draft = _react(session, talks, summary="A draft reaction.", answers_point_id=point_1.id)
    session.execute(update(Statement).where(Statement.id == draft.id).values(published_at=None))
    gone = _react(session, talks, summary="Retracted.", answers_point_id=point_1.id)
    session.execute(
        update(Statement)
        .where(Statement.id == gone.id)
        .values(retracted_at=utcnow(), retraction_reason="Wrong source.")
    )
    # An answer to the first draft's point 1 is not the second draft's.
    _react(
        session,
        talks,
        summary="On the first draft.",
        answers_point_id=_point(session, first.id, "1").id,
    )
    session.commit()

    page = parse(client.get(_base(talks, proposal)))
    shown = page.select("[data-reactions='1'] [data-statement]")
    assert [int(li["data-statement"]) for li in shown] == [rejects.id]
    assert one(shown[0], ".stance--rejects")
    assert "Rejects point 1 of the plan." in words(shown[0])
    assert [
        int(li["data-statement"]) for li in page.select("#version-reactions [data-statement]")
    ] == [whole.id]
    assert "A draft reaction." not in page.get_text() and "Retracted." not in page.get_text()
    assert "On the first draft." not in page.get_text()
    first_page = parse(client.get(f"{_base(talks, proposal)}/versions/first-draft"))
    assert "On the first draft." in words(one(first_page, "[data-reactions='1']"))

    # As of a date before either reaction: none; between them: the whole-version one only.
    before = parse(client.get(f"{_base(talks, proposal)}?as_of=2025-11-21"))
    assert not before.select("[data-statement]")
    between = parse(client.get(f"{_base(talks, proposal)}/versions/second-draft?as_of=2025-11-23"))
    assert [int(li["data-statement"]) for li in between.select("[data-statement]")] == [whole.id]
    assert one(between, "#as_of")["value"] == "2025-11-23"


@pytest.mark.parametrize("as_of", ["2025-13-01", "9" * 5000, "0001-01-01", "\u0661\u0663"])
def test_a_bad_date_is_refused_in_words(client, session, as_of) -> None:
    response = client.get(
        f"/talks/russia-ukraine/proposals/russian-conditions-june-2024?as_of={as_of}"
    )
    assert response.status_code == 400
    assert "as_of" in response.text or "date" in response.text.lower()


@pytest.mark.parametrize("count", [2, 28])
def test_reactions_cost_one_query_whatever_the_points_or_reactions(
    client, session, queries, count
) -> None:
    talks, proposal, _first, second = _plan(session, count)
    for n in range(1, count + 1):
        point = _point(session, second.id, str(n))
        for party in (talks.mediator, make_party(session)):
            _react(session, talks, party=party, answers_point_id=point.id)
    session.commit()
    for path in (_base(talks, proposal), f"{_base(talks, proposal)}/versions/second-draft"):
        queries.clear()
        page = client.get(path)
        assert page.status_code == 200
        assert len(parse(page).select("[data-statement]")) == 2 * count
        # The 9 of a proposal page (tests/proposals/test_pages.py) and the reactions: 10.
        assert queries.count == 10, (path, queries.statements)


def test_the_service_refuses_a_version_or_point_of_other_talks(session) -> None:
    talks, _proposal, _first, second = _plan(session)
    _elsewhere, _p, _f, their_second = _plan(session)
    theirs = _point(session, their_second.id, "1")
    for answers in (
        {"answers_point_id": theirs.id},
        {"answers_version_id": their_second.id},
        {"answers_version_id": second.id, "answers_point_id": theirs.id},
        {"answers_point_id": 2_000_000_000},
    ):
        with pytest.raises(AnswerProblem, match="own negotiation"):
            _react(session, talks, **answers)
    # A point with a version that is not its own.
    mine = _point(session, second.id, "1")
    with pytest.raises(AnswerProblem, match="not one of the version"):
        _react(session, talks, answers_version_id=_first.id, answers_point_id=mine.id)


def test_the_database_refuses_a_version_or_point_of_other_talks(session) -> None:
    talks, _proposal, first, second = _plan(session)
    _elsewhere, _p, _f, their_second = _plan(session)
    statement = _react(session, talks, answers_version_id=second.id)
    session.flush()
    theirs = _point(session, their_second.id, "1")
    for values in (
        {"answers_version_id": their_second.id, "answers_point_id": None},
        {"answers_version_id": their_second.id, "answers_point_id": theirs.id},
        # The point of another version of the same plan.
        {"answers_version_id": second.id, "answers_point_id": _point(session, first.id, "1").id},
        # A point without its version.
        {"answers_version_id": None, "answers_point_id": _point(session, second.id, "1").id},
    ):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(update(Statement).where(Statement.id == statement.id).values(**values))


def test_the_statement_form_offers_its_talks_points_and_saves_the_answer(
    editor_client, session
) -> None:
    page = parse(editor_client.get("/statements/new"))
    options = {o["value"]: words(o) for o in page.select("select#answers option")}
    # The demo's Russian conditions: the version and its three points, named with the plan.
    points_offered = [v for v in options if v.startswith("point:")]
    assert len(points_offered) >= 3
    choice = points_offered[0]
    assert "Russia" in options[choice] and "point 1" in options[choice]
    statement_id = statement_id_from(add(editor_client, answers=choice))
    session.expire_all()
    statement = session.get_one(Statement, statement_id)
    point = session.get_one(ProposalPoint, int(choice.split(":")[1]))
    assert (statement.answers_version_id, statement.answers_point_id) == (
        point.version_id,
        point.id,
    )
    snapshot = session.scalar(
        select(Revision.snapshot).where(
            Revision.entity_type == "statement", Revision.entity_id == statement_id
        )
    )
    assert snapshot["answers_point_id"] == point.id
    assert snapshot["answers_version_id"] == point.version_id
    # The edit form shows it chosen, and the statement's page names it.
    edit = parse(editor_client.get(f"/statements/{statement_id}/edit"))
    assert one(edit, "select#answers option[selected]")["value"] == choice
    assert "point 1" in words(
        one(parse(editor_client.get(f"/statements/{statement_id}")), "#answers")
    )


@pytest.mark.parametrize(
    "answers",
    ["point:abc", "version:", "point:" + "9" * 5000, "point:\u0661", "plan:1", "point:1\x00"],
)
def test_a_malformed_answer_is_refused_on_its_field(editor_client, session, answers) -> None:
    before = counts(session)
    response = add(editor_client, answers=answers)
    assert response.status_code == 422
    assert "from the list" in words(one(parse(response.text), "#answers-error"))
    assert counts(session) == before


def test_the_form_refuses_a_point_of_other_talks_and_stores_nothing(editor_client, session) -> None:
    _talks, _proposal, _first, second = _plan(session)
    theirs = _point(session, second.id, "1")
    session.commit()
    before = counts(session)
    for answers in (f"point:{theirs.id}", f"version:{second.id}"):
        response = add(editor_client, answers=answers)
        assert response.status_code == 422, response.text[:300]
        assert "own negotiation" in words(one(parse(response.text), "#answers-error"))
        assert counts(session) == before
    # On edit too.
    statement_id = statement_id_from(add(editor_client))
    edit = f"/statements/{statement_id}/edit"
    fields = form_fields(editor_client.get(edit).text)
    fields["answers"] = f"point:{theirs.id}"
    before = counts(session)
    response = post_form(editor_client, edit, edit, fields)
    assert response.status_code == 422
    assert counts(session) == before


def test_the_api_carries_reactions_and_the_csv_their_columns(client, session) -> None:
    talks, proposal, _first, second = _plan(session)
    point = _point(session, second.id, "2")
    statement = _react(session, talks, answers_point_id=point.id)
    whole = _react(session, talks, summary="On the whole.", answers_version_id=second.id)
    session.commit()
    body = client.get(
        f"/api/negotiations/{talks.negotiation.slug}/proposals/{proposal.slug}"
    ).json()
    by_number = {p["number"]: p for p in body["points"]}
    assert [r["statement"] for r in by_number["2"]["reactions"]] == [statement.id]
    reaction = by_number["2"]["reactions"][0]
    assert reaction["party"]["slug"] == talks.mediator.slug
    assert reaction["stance"]["value"] == -1
    assert by_number["1"]["reactions"] == []
    assert [r["statement"] for r in body["reactions"]] == [whole.id]
    text = client.get("/api/statements.csv").text
    header = next(csv.reader(io.StringIO(text)))
    assert header[-2:] == ["answers_version_id", "answers_point_id"]
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(text))}
    assert rows[statement.id]["answers_point_id"] == str(point.id)
    assert rows[statement.id]["answers_version_id"] == str(second.id)
    assert rows[whole.id]["answers_point_id"] == ""


def test_the_statement_page_names_what_it_answers_for_one_query_more(
    client, session, queries
) -> None:
    talks, proposal, _first, second = _plan(session)
    point = _point(session, second.id, "2")
    plain = _react(session, talks, summary="Answers nothing.")
    answering = _react(session, talks, answers_point_id=point.id)
    session.commit()
    counted = {}
    for statement in (plain, answering):
        queries.clear()
        page = client.get(f"/statements/{statement.id}")
        assert page.status_code == 200
        counted[statement.id] = queries.count
    assert counted[answering.id] == counted[plain.id] + 1, queries.statements
    html = parse(client.get(f"/statements/{answering.id}"))
    link = html.select_one(f"a[href*='/proposals/{proposal.slug}']")
    assert link is not None, "the statement page links the plan it answers"
    assert "2" in words(html.select_one("main"))


@pytest.mark.parametrize("count", [1, 12])
def test_the_statement_form_lists_answers_in_a_fixed_number_of_queries(
    editor_client, session, queries, count
) -> None:
    _plan(session, count)
    session.commit()
    queries.clear()
    page = editor_client.get("/statements/new")
    assert page.status_code == 200
    options = parse(page).select("#answers option[value^='point:']")
    assert len(options) >= 2 * count
    counted = queries.count
    # Another plan of as many points costs nothing more: the choices are one query.
    _plan(session, count)
    session.commit()
    queries.clear()
    assert editor_client.get("/statements/new").status_code == 200
    assert queries.count == counted, queries.statements
