"""Search in one negotiation or all: results name their negotiation and link to its pages; a
second negotiation ("sudan") shares the United States with the demo's talks."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Demand, Party
from tests.factories import make_source, make_statement
from tests.html import one, parse, words
from tests.negotiations.test_pages import second_talks


def result_talks(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [li["data-negotiation"] for li in parse(response).select("#results > li")]


def test_results_name_their_negotiation_and_link_to_it(client, session) -> None:
    second_talks(session)
    page = parse(client.get("/search", params={"q": "truce"}))
    sudan = page.select('#results > li[data-negotiation="sudan"]')[0]
    link = one(sudan, "a.result__talks")
    assert link["href"] == "/talks/sudan" and words(link) == "Sudan talks"


def test_the_negotiation_filter_keeps_each_negotiations_results_apart(client, session) -> None:
    second_talks(session)
    everywhere = result_talks(client.get("/search", params={"q": "truce or ceasefire"}))
    assert {"sudan", "russia-ukraine"} <= set(everywhere)
    sudan = client.get("/search", params={"q": "truce", "negotiation": "sudan"})
    assert set(result_talks(sudan)) == {"sudan"} and len(result_talks(sudan)) == 2
    assert "in Sudan talks" in words(one(parse(sudan), "#search-content h2"))
    ukraine = result_talks(
        client.get("/search", params={"q": "partial truce", "negotiation": "russia-ukraine"})
    )
    assert "sudan" not in ukraine
    # The select offers every negotiation and keeps the choice.
    page = parse(sudan)
    assert [o["value"] for o in page.select("#negotiation option")] == [
        "",
        "russia-ukraine",
        "sudan",
    ]
    assert one(page, "#negotiation option[selected]")["value"] == "sudan"


def test_the_filter_holds_for_matches_through_sources_too(client, session) -> None:
    second_talks(session)
    us = session.scalar(select(Party).where(Party.slug == "united-states"))
    demand = session.scalar(select(Demand).where(Demand.slug == "humanitarian-truce"))
    wire = make_source(session, title="Talks in Jeddah", publisher="Red Sea Wire")
    make_statement(session, party=us, demand=demand, source=wire, summary="Aid corridors.")
    ukraine_demand = session.scalar(select(Demand).where(Demand.slug == "nato-renunciation"))
    make_statement(session, party=us, demand=ukraine_demand, source=wire, summary="Unrelated.")
    session.commit()
    assert len(result_talks(client.get("/search", params={"q": "Red Sea Wire"}))) == 2
    for slug in ("sudan", "russia-ukraine"):
        found = result_talks(
            client.get("/search", params={"q": "Red Sea Wire", "negotiation": slug})
        )
        assert found == [slug]


def test_an_unknown_negotiation_is_a_clear_400(client, session) -> None:
    response = client.get("/search", params={"q": "truce", "negotiation": "atlantis"})
    assert response.status_code == 400
    assert "There is no negotiation 'atlantis'" in words(
        one(parse(response), "#search-content [role=alert]")
    )


def test_a_scoped_search_costs_the_same_queries(client, session, queries) -> None:
    second_talks(session)
    queries.clear()
    client.get("/search", params={"q": "truce", "negotiation": "sudan"})
    # Data version, the negotiations, (PostgreSQL) the serial plan, the ranked page, its
    # statements.
    assert queries.count == 4 + (session.get_bind().dialect.name == "postgresql")
