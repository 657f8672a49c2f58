"""The matrix is a negotiation's: `/talks/{negotiation}`; `/` lists the negotiations.

A second negotiation shares the United States with the demo's talks; nothing of one may show in
the other's matrix.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.models import Negotiation, ParticipationRole, Party
from app.stances import Stance
from tests.factories import make_demand, make_negotiation, make_participation, make_statement
from tests.html import one, parse, words


def second_talks(session) -> Negotiation:  # type: ignore[no-untyped-def]
    """Sudan talks, mediated by the United States, with one demand and a recent statement."""
    us = session.scalar(select(Party).where(Party.slug == "united-states"))
    talks = make_negotiation(session, slug="sudan", title="Sudan talks", description="Jeddah.")
    make_participation(session, party=us, negotiation=talks, role=ParticipationRole.MEDIATOR)
    demand = make_demand(session, negotiation=talks, slug="humanitarian-truce", title="A truce")
    make_statement(
        session,
        party=us,
        demand=demand,
        stance=Stance.INSISTS,
        stated_on=dt.date.today() - dt.timedelta(days=40),
        summary="The US insists on a truce.",
    )
    make_statement(
        session,
        party=us,
        demand=demand,
        stance=Stance.OPEN,
        stated_on=dt.date.today() - dt.timedelta(days=3),
        summary="The US is open to a partial truce.",
    )
    session.commit()
    return talks


def test_the_matrix_has_a_scoped_url_and_a_canonical_link(client) -> None:
    page = parse(client.get("/talks/russia-ukraine"))
    canonical = one(page, 'link[rel="canonical"]')["href"]
    assert canonical.endswith("/talks/russia-ukraine")
    assert "Russia–Ukraine talks" in words(one(page, ".page-head"))
    form = one(page, "#date-form")
    assert form["action"] == "/talks/russia-ukraine"


def test_with_one_negotiation_home_shows_its_matrix_with_the_canonical_link(client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 200
    page = parse(response)
    assert one(page, 'link[rel="canonical"]')["href"].endswith("/talks/russia-ukraine")
    assert one(page, "#matrix-table")


def test_unknown_talks_are_a_404_that_lists_the_negotiations(client) -> None:
    response = client.get("/talks/atlantis")
    assert response.status_code == 404
    assert 'href="/talks/russia-ukraine"' in response.text


def test_each_matrix_shows_only_its_own_parties_and_demands(client, session) -> None:
    second_talks(session)
    sudan = parse(client.get("/talks/sudan"))
    assert [th["data-party"] for th in sudan.select("#matrix-table thead th[data-party]")] == [
        "united-states"
    ]
    assert [tr["data-demand"] for tr in sudan.select("#matrix-table tbody tr")] == [
        "humanitarian-truce"
    ]
    assert "partial truce" in words(one(sudan, "#matrix-table"))
    ukraine = parse(client.get("/talks/russia-ukraine"))
    demands = [tr["data-demand"] for tr in ukraine.select("#matrix-table tbody tr")]
    assert "humanitarian-truce" not in demands and len(demands) == 9
    assert "partial truce" not in words(one(ukraine, "#matrix-table"))


def test_matrix_columns_follow_the_participations_display_order(client) -> None:
    page = parse(client.get("/talks/russia-ukraine"))
    parties = [th["data-party"] for th in page.select("#matrix-table thead th[data-party]")]
    assert parties == ["russia", "ukraine", "united-states", "european-allies"]


def test_home_lists_each_negotiation_with_a_line_of_state(client, session, queries) -> None:
    second_talks(session)
    queries.clear()
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 200
    # Data version, negotiations, participants, last statements, recent shifts.
    assert queries.count == 5
    page = parse(response)
    cards = page.select("#negotiations [data-negotiation]")
    assert [card["data-negotiation"] for card in cards] == ["russia-ukraine", "sudan"]
    sudan = words(cards[1])
    assert "1 party: United States." in sudan
    assert "1 shift in the last 30 days" in sudan
    assert "Last statement" in sudan
    assert one(cards[1], "a")["href"] == "/talks/sudan"
    # The demo's statements are from 2025: none recent.
    assert "0 shifts in the last 30 days" in words(cards[0])
    assert "4 parties" in words(cards[0])


def test_the_old_matrix_url_moves_to_the_only_negotiation_with_its_query(client) -> None:
    response = client.get("/?as_of=2025-01-31&since=2024-12-31", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/talks/russia-ukraine?as_of=2025-01-31&since=2024-12-31"


def test_with_several_negotiations_the_old_matrix_url_asks_which(client, session) -> None:
    second_talks(session)
    response = client.get("/?as_of=2025-01-31", follow_redirects=False)
    assert response.status_code == 300
    links = [a["href"] for a in parse(response).select(".choices a")]
    assert links == ["/talks/russia-ukraine?as_of=2025-01-31", "/talks/sudan?as_of=2025-01-31"]
    assert "no-store" in response.headers.get("cache-control", "") or (
        "public" not in response.headers.get("cache-control", "")
    )


def test_the_old_matrix_url_keeps_refusing_what_it_never_took(client) -> None:
    assert client.get("/?as_off=2025-01-31", follow_redirects=False).status_code == 400


def test_statement_page_links_to_its_negotiations_matrix(client, session) -> None:
    second_talks(session)
    page = client.get("/talks/sudan").text
    statement_href = parse(page).select_one("#matrix-table td a")["href"]
    statement = parse(client.get(statement_href))
    assert any(
        a["href"].startswith("/talks/sudan?as_of=") for a in statement.select("main a[href]")
    )
