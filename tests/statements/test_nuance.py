"""Partial, conditional and off-scale statements through the real form (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import Revision, Statement, StatementCondition
from app.positions import position_histories
from app.stances import Stance
from tests.editors import counts, form_fields, post_form
from tests.factories import make_demand, make_negotiation, make_party, make_statement
from tests.html import parse
from tests.statements.test_editing import add, statement_id_from


def test_the_disclosure_is_closed_on_a_plain_form_and_opens_when_a_field_is_set(
    editor_client, session
) -> None:
    page = parse(editor_client.get("/statements/new").text)
    assert page.select_one("details#nuance") is not None
    assert not page.select_one("details#nuance").has_attr("open")
    statement = make_statement(
        session, stance=Stance.OPEN, partial=True, scope_note="local, 2–3 days"
    )
    session.commit()
    page = parse(editor_client.get(f"/statements/{statement.id}/edit").text)
    assert page.select_one("details#nuance").has_attr("open")
    assert form_fields(str(page))["scope_note"] == "local, 2–3 days"


def test_a_partial_conditional_statement_is_saved_with_its_revision(editor_client, session) -> None:
    other = session.scalar(select(Statement.demand_id).where(Statement.demand_id != 1).limit(1))
    response = add(
        editor_client,
        stance="0",
        partial="yes",
        scope_note="local, 2–3 days, to collect the dead",
        condition_demand_1=str(other),
        condition_note_1="only once the other side agrees",
    )
    statement_id = statement_id_from(response)
    session.expire_all()
    statement = session.get_one(Statement, statement_id)
    assert statement.partial and statement.scope_note.startswith("local")
    conditions = list(
        session.scalars(
            select(StatementCondition).where(StatementCondition.statement_id == statement_id)
        )
    )
    assert [(c.demand_id, c.note) for c in conditions] == [
        (other, "only once the other side agrees")
    ]
    revision = session.scalar(
        select(Revision).where(
            Revision.entity_type == "statement", Revision.entity_id == statement_id
        )
    )
    assert revision.snapshot["partial"] is True
    assert revision.snapshot["conditions"][0]["demand_id"] == other
    page = editor_client.get(f"/statements/{statement_id}").text
    assert "partial" in page and "local, 2–3 days" in page and "Only if" in page


def test_an_off_scale_answer_is_saved_without_a_stance(editor_client, session) -> None:
    statement_id = statement_id_from(add(editor_client, stance="declined"))
    session.expire_all()
    statement = session.get_one(Statement, statement_id)
    assert (statement.stance, statement.off_scale) == (None, "declined")
    assert "declined to say" in editor_client.get(f"/statements/{statement_id}").text


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"partial": "yes"}, "scope_note", "needs a scope note"),
        ({"scope_note": "local"}, "scope_note", "tick partial"),
        ({"partial": "yes", "scope_note": "x" * 201}, "scope_note", "200"),
        (
            {"stance": "declined", "partial": "yes", "scope_note": "a"},
            "scope_note",
            "off the scale",
        ),
        ({"condition_note_1": "only if"}, "condition_demand_1", "choose the demand"),
        ({"condition_demand_1": "1"}, "condition_demand_1", "its own demand"),
        ({"condition_demand_1": "99999999999999"}, "condition_demand_1", "from the list"),
        ({"alternative_to": "abc"}, "alternative_to", "statement number"),
        ({"alternative_to": "2147483000"}, "alternative_to", "same party"),
        ({"stance": "maybe"}, "stance", "declined to say"),
    ],
)
def test_bad_nuance_is_refused_on_its_field_and_stores_nothing(
    editor_client, session, changes, field, words
) -> None:
    before = counts(session)
    response = add(editor_client, **changes)
    assert response.status_code == 422, response.text[:300]
    page = parse(response.text)
    message = page.select_one(f"#{field}-error")
    assert message is not None, field
    assert words.lower() in message.get_text().lower()
    if field != "stance":
        assert page.select_one("details#nuance").has_attr("open")
    assert counts(session) == before


def test_a_condition_on_a_demand_of_other_talks_is_refused(editor_client, session) -> None:
    elsewhere = make_demand(session, negotiation=make_negotiation(session))
    session.commit()
    before = counts(session)
    response = add(editor_client, condition_demand_1=str(elsewhere.id))
    assert response.status_code == 422
    assert (
        "same negotiation"
        in parse(response.text).select_one("#condition_demand_1-error").get_text()
    )
    assert counts(session) == before


def test_an_offer_of_one_option_is_refused(editor_client, session) -> None:
    statement_id = statement_id_from(add(editor_client))
    edit = f"/statements/{statement_id}/edit"
    fields = form_fields(editor_client.get(edit).text)
    fields["alternative_to"] = str(statement_id)
    before = counts(session)
    response = post_form(editor_client, edit, edit, fields)
    assert response.status_code == 422
    assert "two options" in parse(response.text).select_one("#alternative_to-error").get_text()
    assert counts(session) == before


def test_two_options_make_one_offer_and_bringing_back_restores_conditions(
    editor_client, session
) -> None:
    first = statement_id_from(add(editor_client, summary="Option one: withdraw."))
    second = statement_id_from(
        add(
            editor_client,
            summary="Option two: halt.",
            alternative_to=str(first),
            source_url="https://news.example.org/option-two",
        )
    )
    session.expire_all()
    assert session.get_one(Statement, second).alternative_to_id == first
    # A condition added by an edit, then taken away by bringing back version 1.
    edit = f"/statements/{first}/edit"
    fields = form_fields(editor_client.get(edit).text)
    other = session.scalar(select(Statement.demand_id).where(Statement.demand_id != 1).limit(1))
    fields["condition_demand_1"] = str(other)
    assert post_form(editor_client, edit, edit, fields).status_code == 303
    session.expire_all()
    assert session.get_one(Statement, first).snapshot()["conditions"]
    page = editor_client.get(f"/statements/{first}")
    assert "Only if" in page.text
    buttons = parse(page).select("form[action*='/bring-back/'] button")
    button = next(b for b in buttons if "version 1" in b.get_text())
    action = button.find_parent("form")["action"]
    response = editor_client.post(
        action, data=form_fields(page, f"form[action='{action}']"), follow_redirects=False
    )
    assert response.status_code == 303
    session.expire_all()
    restored = session.get_one(Statement, first)
    assert restored.snapshot()["conditions"] == []
    latest = session.scalar(
        select(Revision)
        .where(Revision.entity_type == "statement", Revision.entity_id == first)
        .order_by(Revision.version.desc())
        .limit(1)
    )
    assert latest.snapshot["conditions"] == []
    # The offer shows both options on each option's page.
    offer = parse(editor_client.get(f"/statements/{second}").text).select("ol.offer li")
    assert len(offer) == 2


def test_histories_skip_off_scale_answers_when_marking_shifts(session) -> None:
    party, demand = make_party(session), make_demand(session)
    day = dt.date(2025, 1, 1)
    make_statement(session, party=party, demand=demand, stance=Stance.REJECTS, stated_on=day)
    make_statement(
        session,
        party=party,
        demand=demand,
        stance=None,
        off_scale="declined",
        stated_on=day + dt.timedelta(days=1),
    )
    make_statement(
        session,
        party=party,
        demand=demand,
        stance=Stance.OPEN,
        partial=True,
        scope_note="local, 2–3 days",
        stated_on=day + dt.timedelta(days=2),
    )
    entries = position_histories(
        session, dt.date(2025, 12, 31), party_ids=[party.id], demand_ids=[demand.id]
    )
    assert [e.is_shift for e in entries] == [False, False, True]
    assert entries[2].shift_words == "Changed: was rejects \u2192 open / conditional (partial)"
