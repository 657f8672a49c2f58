"""`/api/negotiations` and `/api/negotiations/{slug}`, with a second negotiation sharing the
United States."""

from __future__ import annotations

from sqlalchemy import select

from app.models import ParticipationRole, Party
from tests.api.test_csv import parse_csv
from tests.api.test_problems import problem
from tests.factories import make_demand, make_negotiation, make_participation, make_statement


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


def test_statements_and_the_csv_filter_by_negotiation(client, session) -> None:
    us = session.scalars(select(Party).where(Party.slug == "united-states")).one()
    sudan = make_negotiation(session, slug="sudan", title="Sudan talks")
    make_participation(session, party=us, negotiation=sudan, role=ParticipationRole.MEDIATOR)
    # The same slug as a demo demand: within Sudan's talks it names Sudan's.
    ceasefire = make_demand(session, negotiation=sudan, slug="nato-renunciation", title="Twin")
    said = make_statement(session, party=us, demand=ceasefire, summary="Sudan: a ceasefire.")
    session.commit()

    sudan_items = client.get("/api/statements?negotiation=sudan").json()["items"]
    assert [item["id"] for item in sudan_items] == [said.id]
    demo_items = client.get("/api/statements?negotiation=russia-ukraine&limit=100").json()["items"]
    assert demo_items and said.id not in {item["id"] for item in demo_items}
    both = client.get("/api/statements?negotiation=sudan&demand=nato-renunciation").json()
    assert [item["id"] for item in both["items"]] == [said.id]
    rows = parse_csv(client.get("/api/statements.csv?negotiation=sudan").text)
    assert [int(row["id"]) for row in rows] == [said.id]
    body = problem(client.get("/api/statements?negotiation=atlantis"), 400)
    assert [error["name"] for error in body["errors"]] == ["negotiation"]


def test_the_negotiation_api_is_shared_cacheable_like_the_rest(client) -> None:
    for url in ("/api/negotiations", "/api/negotiations/russia-ukraine"):
        first = client.get(url)
        assert first.headers.get("etag"), url
        assert first.headers["cache-control"] != "private, no-store", url
        again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, url
