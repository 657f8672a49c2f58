"""The API per negotiation: a second negotiation ("sudan") shares the United States with the
demo's talks, and nothing of one shows in the other's matrix, gaps, statements or CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import make_demand
from tests.negotiations.test_pages import second_talks

PROBLEM = "application/problem+json"


def test_each_negotiations_matrix_has_only_its_participants_and_demands(client, session) -> None:
    second_talks(session)
    sudan = client.get("/api/negotiations/sudan/matrix").json()
    assert sudan["negotiation"]["slug"] == "sudan"
    assert sudan["negotiation"]["url"] == "/talks/sudan"
    assert [p["slug"] for p in sudan["parties"]] == ["united-states"]
    assert [row["demand"]["slug"] for row in sudan["rows"]] == ["humanitarian-truce"]
    assert (
        sudan["rows"][0]["cells"][0]["statement"]["summary"] == "The US is open to a partial truce."
    )
    ukraine = client.get("/api/negotiations/russia-ukraine/matrix").json()
    assert "humanitarian-truce" not in [row["demand"]["slug"] for row in ukraine["rows"]]
    assert "partial truce" not in str(ukraine)
    assert [p["slug"] for p in ukraine["parties"]] == [
        "russia",
        "ukraine",
        "united-states",
        "european-allies",
    ]


def test_gaps_compare_only_a_negotiations_participants(client, session) -> None:
    second_talks(session)
    response = client.get("/api/negotiations/sudan/gaps?parties=united-states,russia")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["name"] == "parties"
    body = client.get("/api/negotiations/russia-ukraine/gaps?parties=russia,united-states").json()
    assert body["negotiation"]["slug"] == "russia-ukraine"
    assert "humanitarian-truce" not in [row["demand"]["slug"] for row in body["rows"]]


@pytest.mark.parametrize("path", ["matrix", "gaps?parties=russia,ukraine"])
def test_an_unknown_negotiation_is_a_404_problem(client, path: str) -> None:
    response = client.get(f"/api/negotiations/atlantis/{path}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "atlantis" in response.json()["detail"]


def test_statements_by_negotiation_name_it_and_stay_in_it(client, session) -> None:
    second_talks(session)
    sudan = client.get("/api/statements?negotiation=sudan").json()["items"]
    assert len(sudan) == 2
    assert {s["negotiation"]["slug"] for s in sudan} == {"sudan"}
    assert {s["demand"]["slug"] for s in sudan} == {"humanitarian-truce"}
    ukraine = client.get("/api/statements?negotiation=russia-ukraine&party=united-states")
    items = ukraine.json()["items"]
    assert items and {s["negotiation"]["slug"] for s in items} == {"russia-ukraine"}
    assert "partial truce" not in ukraine.text
    one = client.get(f"/api/statements/{sudan[0]['id']}").json()
    assert one["negotiation"] == sudan[0]["negotiation"]


def test_demands_name_their_negotiation(client, session) -> None:
    second_talks(session)
    items = client.get("/api/demands").json()["items"]
    truce = next(d for d in items if d["slug"] == "humanitarian-truce")
    assert truce["negotiation"]["slug"] == "sudan"
    assert truce["negotiation"]["api_url"] == "/api/negotiations/sudan"
    assert {d["negotiation"]["slug"] for d in items if d["slug"] != "humanitarian-truce"} == {
        "russia-ukraine"
    }


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_a_negotiation_column_and_takes_the_filter(client, session) -> None:
    second_talks(session)
    header = next(csv.reader(io.StringIO(client.get("/api/statements.csv").text)))
    assert header[:4] == ["id", "negotiation", "party", "demand"]
    sudan = rows(client.get("/api/statements.csv?negotiation=sudan").text)
    assert len(sudan) == 2
    assert {(r["negotiation"], r["demand"]) for r in sudan} == {("sudan", "humanitarian-truce")}
    ukraine = rows(client.get("/api/statements.csv?negotiation=russia-ukraine").text)
    assert ukraine and {r["negotiation"] for r in ukraine} == {"russia-ukraine"}
    assert not any("partial truce" in r["summary"] for r in ukraine)
    every = rows(client.get("/api/statements.csv").text)
    assert len(every) == len(sudan) + len(ukraine)


@pytest.mark.parametrize("path", ["/api/statements", "/api/statements.csv"])
def test_an_unknown_negotiation_filter_is_a_400_problem(client, session, path: str) -> None:
    response = client.get(f"{path}?negotiation=atlantis")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"] == [
        {"name": "negotiation", "detail": "There is no negotiation 'atlantis'."}
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # Data version, the negotiation, its participants, demands and cells (with their
        # conditions and offers, issue 18).
        ("/api/negotiations/sudan/matrix", 5),
        ("/api/negotiations/russia-ukraine/gaps?parties=russia,united-states", 5),
        # Data version, the negotiation, parties and demands (to resolve slugs), the page, its
        # conditions.
        ("/api/statements?negotiation=sudan", 6),
    ],
)
def test_scoped_endpoints_cost_a_fixed_number_of_queries(
    client, session, queries, path: str, expected: int
) -> None:
    second_talks(session)
    queries.clear()
    client.get(path)
    assert queries.count == expected


def shared_slug(session) -> None:  # type: ignore[no-untyped-def]
    """The Sudan talks get a demand whose slug one of the demo's demands already has: slugs are
    unique within a negotiation only."""
    talks = second_talks(session)
    make_demand(
        session, negotiation=talks, slug="temporary-ceasefire", title="A ceasefire in Darfur"
    )
    session.commit()


def test_a_demand_is_read_within_its_negotiation(client, session) -> None:
    shared_slug(session)
    sudan = client.get("/api/negotiations/sudan/demands/temporary-ceasefire")
    assert sudan.status_code == 200
    assert sudan.json()["title"] == "A ceasefire in Darfur"
    assert sudan.json()["negotiation"]["slug"] == "sudan"
    assert sudan.json()["api_url"] == "/api/negotiations/sudan/demands/temporary-ceasefire"
    ukraine = client.get("/api/negotiations/russia-ukraine/demands/temporary-ceasefire").json()
    assert ukraine["title"] != "A ceasefire in Darfur"
    assert ukraine["negotiation"]["slug"] == "russia-ukraine"
    listed = client.get("/api/negotiations/sudan/demands").json()["items"]
    assert [d["slug"] for d in listed] == ["humanitarian-truce", "temporary-ceasefire"]
    revisions = client.get("/api/negotiations/sudan/demands/temporary-ceasefire/revisions").json()
    assert {r["entity_id"] for r in revisions["items"]} == {sudan.json()["id"]}


@pytest.mark.parametrize(
    "path",
    ["/api/negotiations/sudan/demands/nato-renunciation", "/api/negotiations/atlantis/demands"],
)
def test_a_demand_of_other_talks_is_a_404_problem(client, session, path: str) -> None:
    second_talks(session)
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("tail", ["", "/revisions"])
def test_an_old_demand_url_moves_when_one_negotiation_has_the_slug(
    client, session, tail: str
) -> None:
    shared_slug(session)
    response = client.get(f"/api/demands/nato-renunciation{tail}", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == (
        f"/api/negotiations/russia-ukraine/demands/nato-renunciation{tail}"
    )


@pytest.mark.parametrize("tail", ["", "/revisions"])
def test_an_old_demand_url_asks_which_when_two_negotiations_have_the_slug(
    client, session, tail: str
) -> None:
    shared_slug(session)
    response = client.get(f"/api/demands/temporary-ceasefire{tail}", follow_redirects=False)
    # Answering with the first demand of the slug would be the wrong data for half the readers.
    assert response.status_code == 300
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["cache-control"] == "no-store"
    assert [c["url"] for c in response.json()["choices"]] == [
        f"/api/negotiations/russia-ukraine/demands/temporary-ceasefire{tail}",
        f"/api/negotiations/sudan/demands/temporary-ceasefire{tail}",
    ]


def test_an_old_demand_url_of_no_demand_is_a_404_problem(client, session) -> None:
    response = client.get("/api/demands/world-peace", follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
