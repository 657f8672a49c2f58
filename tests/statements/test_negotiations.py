"""The statement form with two negotiations: a party speaks only in talks it takes part in, and
a demand added from the form goes into the statement's negotiation."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Demand, Negotiation, ParticipationRole, Party
from tests.editors import counts, post_form
from tests.factories import make_demand, make_negotiation, make_participation
from tests.html import one, parse, words
from tests.statements.test_editing import new_statement


def party(session: Session, slug: str) -> Party:
    found = session.scalar(select(Party).where(Party.slug == slug))
    assert found is not None
    return found


@pytest.fixture
def sudan(session: Session) -> Negotiation:
    talks = make_negotiation(session, slug="sudan", title="Sudan talks")
    make_participation(
        session,
        party=party(session, "united-states"),
        negotiation=talks,
        role=ParticipationRole.MEDIATOR,
    )
    session.commit()
    return talks


def add(client, **changes: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/statements/new", "/statements/new", new_statement(**changes))


def test_a_party_outside_the_demands_talks_is_refused_on_its_field(
    editor_client, session: Session, sudan: Negotiation
) -> None:
    ceasefire = make_demand(session, negotiation=sudan, slug="ceasefire")
    session.commit()
    before = counts(session)
    response = add(editor_client, party=str(party(session, "russia").id), demand=str(ceasefire.id))
    assert response.status_code == 422
    message = words(one(parse(response), "#party-error"))
    assert "Russia does not take part in Sudan talks" in message
    assert counts(session) == before
    # The United States takes part in both: accepted.
    accepted = add(
        editor_client, party=str(party(session, "united-states").id), demand=str(ceasefire.id)
    )
    assert accepted.status_code == 303, accepted.text


def test_an_edit_moving_a_statement_to_talks_its_party_is_not_in_is_refused(
    editor_client, session: Session, sudan: Negotiation
) -> None:
    created = add(editor_client, party=str(party(session, "russia").id))
    assert created.status_code == 303, created.text
    url = created.headers["location"].split("?")[0] + "/edit"
    ceasefire = make_demand(session, negotiation=sudan, slug="ceasefire")
    session.commit()
    before = counts(session)
    # The statement is published: moving it is a correction, asked for first (issue 19) ...
    response = post_form(editor_client, url, url, {"demand": str(ceasefire.id)})
    assert response.status_code == 422
    assert one(parse(response), "#correction_note-error")
    # ... and with the note, the move itself is refused.
    moved = {"demand": str(ceasefire.id), "correction_note": "the demand was wrong"}
    response = post_form(editor_client, url, url, moved)
    assert response.status_code == 422
    assert "does not take part in Sudan talks" in words(one(parse(response), "#party-error"))
    assert counts(session) == before


def test_a_new_demand_goes_into_the_statements_negotiation(
    editor_client, session: Session, sudan: Negotiation
) -> None:
    # Russia takes part only in the demo's talks: the new demand goes there.
    russia = add(
        editor_client,
        party=str(party(session, "russia").id),
        demand="",
        new_demand_title="Sanctions relief first",
    )
    assert russia.status_code == 303, russia.text
    made = session.scalar(select(Demand).where(Demand.title == "Sanctions relief first"))
    demo = session.scalar(select(Negotiation.id).where(Negotiation.slug == "russia-ukraine"))
    assert made is not None and made.negotiation_id == demo
    # The United States takes part in both: ambiguous, so the editor is asked which.
    before = counts(session)
    us = add(
        editor_client,
        party=str(party(session, "united-states").id),
        demand="",
        new_demand_title="Humanitarian corridors",
    )
    assert us.status_code == 422
    message = words(one(parse(us), "#new_demand_negotiation-error"))
    assert "Choose the new demand's negotiation" in message
    assert counts(session) == before
    # Chosen beside the new demand (the form offers it): the demand goes there.
    chosen = add(
        editor_client,
        party=str(party(session, "united-states").id),
        demand="",
        new_demand_title="Humanitarian corridors",
        new_demand_negotiation=str(sudan.id),
    )
    assert chosen.status_code == 303, chosen.text
    made = session.scalar(select(Demand).where(Demand.title == "Humanitarian corridors"))
    assert made is not None and made.negotiation_id == sudan.id
