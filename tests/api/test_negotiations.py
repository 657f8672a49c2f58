"""`/api/negotiations` and `/api/negotiations/{slug}`, with a second negotiation sharing the
United States."""

from __future__ import annotations

from sqlalchemy import select

from app.models import ParticipationRole, Party
from tests.api.test_problems import problem
from tests.factories import make_demand, make_negotiation, make_participation


def test_every_negotiation_with_its_participants(client, session, queries) -> None:
    us = session.scalars(select(Party).where(Party.slug == "united-states")).one()
    sudan = make_negotiation(session, slug="sudan", title="Sudan talks", display_order=5)
    make_participation(session, party=us, negotiation=sudan, role=ParticipationRole.MEDIATOR)
    session.commit()
    queries.clear()
    body = client.get("/api/negotiations").json()
    # The data version (for the ETag), the negotiations, their participations with parties.
    assert queries.count == 3
    assert [n["slug"] for n in body["items"]] == ["russia-ukraine", "sudan"]
    demo, second = body["items"]
    assert demo["title"] == "Russia–Ukraine talks" and demo["status"] == "stalled"
    assert [(p["party"]["slug"], p["role"]) for p in demo["participants"]] == [
        ("russia", "party"),
        ("ukraine", "party"),
        ("united-states", "mediator"),
        ("european-allies", "guarantor"),
    ]
    assert demo["participants"][0]["role_label"] == "party to the talks"
    assert [(p["party"]["slug"], p["role"]) for p in second["participants"]] == [
        ("united-states", "mediator")
    ]
    assert second["api_url"] == "/api/negotiations/sudan"


def test_one_negotiation_lists_only_its_own_demands(client, session, queries) -> None:
    sudan = make_negotiation(session, slug="sudan", title="Sudan talks")
    make_demand(session, negotiation=sudan, slug="ceasefire", title="A ceasefire")
    session.commit()
    queries.clear()
    body = client.get("/api/negotiations/sudan").json()
    # The data version, the negotiation, its participants, its demands.
    assert queries.count == 4
    assert [d["slug"] for d in body["demands"]] == ["ceasefire"]
    assert body["participants"] == []
    demo = client.get("/api/negotiations/russia-ukraine").json()
    assert "ceasefire" not in {d["slug"] for d in demo["demands"]}
    assert len(demo["demands"]) >= 4


def test_an_unknown_negotiation_is_a_problem_404(client) -> None:
    body = problem(client.get("/api/negotiations/atlantis"), 404)
    assert "atlantis" in body["detail"]
