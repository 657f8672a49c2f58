"""A negotiation's timeline and feed show its statements only, and filter by its own parties and
demands: a second negotiation ("sudan") shares the United States with the demo's talks."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.html import one, parse, words
from tests.negotiations.test_pages import second_talks

ATOM = "{http://www.w3.org/2005/Atom}"


def test_each_timeline_shows_only_its_negotiations_statements(client, session) -> None:
    second_talks(session)
    sudan = parse(client.get("/talks/sudan/timeline"))
    assert {li["data-demand"] for li in sudan.select("#timeline > li")} == {"humanitarian-truce"}
    assert "partial truce" in words(one(sudan, "#timeline"))
    ukraine = parse(client.get("/talks/russia-ukraine/timeline?party=united-states"))
    assert "partial truce" not in words(one(ukraine, "#timeline"))
    assert len(ukraine.select("#timeline > li")) > 0
    # The filters offer only this negotiation's parties and demands.
    assert [o["value"] for o in sudan.select("#party option")] == ["", "united-states"]
    assert [o["value"] for o in sudan.select("#demand option")] == ["", "humanitarian-truce"]
    assert one(sudan, "form.date-form")["action"] == "/talks/sudan/timeline"


def test_a_party_or_demand_of_another_negotiation_is_a_clear_400(client, session) -> None:
    second_talks(session)
    response = client.get("/talks/sudan/timeline?party=russia")
    assert response.status_code == 400
    assert "There is no party 'russia' in Sudan talks" in words(
        one(parse(response), "#timeline-content [role=alert]")
    )
    assert client.get("/talks/sudan/timeline?demand=nato-renunciation").status_code == 400
    assert client.get("/talks/sudan/timeline.atom?party=russia").status_code == 400
    assert client.get("/talks/atlantis/timeline").status_code == 404


def test_each_feed_is_titled_by_its_negotiation_with_absolute_links(client, session) -> None:
    second_talks(session)
    response = client.get("/talks/sudan/timeline.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    title = root.find(f"{ATOM}title").text
    assert "Sudan talks" in title and title.startswith(client.app.state.settings.site_name)
    base = client.app.state.settings.public_base_url
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{base}/talks/sudan/timeline.atom"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{base}/talks/sudan/timeline"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert all("truce" in e.find(f"{ATOM}title").text for e in entries)
    assert all(e.find(f"{ATOM}link").get("href").startswith(f"{base}/statements/") for e in entries)
    ukraine = client.get("/talks/russia-ukraine/timeline.atom?party=united-states").text
    assert "partial truce" not in ukraine
    # Two feeds, two ids; and the same filters, the same id.
    other = ET.fromstring(client.get("/talks/russia-ukraine/timeline.atom").content)
    assert other.find(f"{ATOM}id").text != root.find(f"{ATOM}id").text


def test_the_timeline_page_offers_its_own_feed(client, session) -> None:
    second_talks(session)
    page = parse(client.get("/talks/sudan/timeline?party=united-states"))
    alternate = one(page, 'link[rel="alternate"][type="application/atom+xml"]')["href"]
    assert alternate == "/talks/sudan/timeline.atom?party=united-states"
    assert one(page, "#feed-link")["href"] == alternate
    assert one(page, 'footer a[href="/talks/sudan/timeline.atom"]')


def test_scoped_timeline_and_feed_query_counts(client, session, queries) -> None:
    second_talks(session)
    for path in ("/talks/sudan/timeline", "/talks/sudan/timeline.atom"):
        queries.clear()
        assert client.get(path).status_code == 200
        # Data version, negotiation, its parties, its demands, one page of statements; the
        # feed, the history of their cells too (its entries say the change in words).
        assert queries.count == (6 if path.endswith(".atom") else 5), path
