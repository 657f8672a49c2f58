"""URLs of the timeline, its feed and the API from before negotiations keep working.

One list of URL shapes (the talks-pages helper keeps the pages' list in test_old_urls.py, in the
same style; the two merge). With one negotiation each moves (301) to its scoped URL, query
intact, and that answers 200. With a second negotiation ("sudan", sharing the United States)
each asks which (300 listing both), except where noted: the old feed cannot ask a feed reader,
so it stays a feed (see app/timeline/routes.py), and an old URL whose party or demand belongs to
one negotiation only moves to that one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.html import parse
from tests.negotiations.test_pages import second_talks

ATOM = "{http://www.w3.org/2005/Atom}"
UKRAINE, SUDAN = "russia-ukraine", "sudan"

# (old URL, its scoped URL with {n} for the negotiation's slug, what it is with two
# negotiations: "ask" (a 300 listing both), "feed" (a 200 feed across both), or a slug (it
# moves there: only that negotiation has the party or demand)).
OLD_URLS = [
    ("/timeline", "/talks/{n}/timeline", "ask"),
    ("/timeline?party=united-states", "/talks/{n}/timeline?party=united-states", "ask"),
    ("/timeline?party=russia", "/talks/{n}/timeline?party=russia", UKRAINE),
    ("/timeline?demand=humanitarian-truce", "/talks/{n}/timeline?demand=humanitarian-truce", SUDAN),
    ("/timeline.atom", "/talks/{n}/timeline.atom", "feed"),
    ("/timeline.atom?party=russia", "/talks/{n}/timeline.atom?party=russia", UKRAINE),
    ("/api/matrix?as_of=2025-01-31", "/api/negotiations/{n}/matrix?as_of=2025-01-31", "ask"),
    (
        "/api/gaps?parties=russia,ukraine",
        "/api/negotiations/{n}/gaps?parties=russia,ukraine",
        UKRAINE,
    ),
]
# Only the demo's negotiation can answer these while it is the only one.
ONE_NEGOTIATION = [row for row in OLD_URLS if "truce" not in row[0]]


@pytest.mark.parametrize(("old", "scoped", "_"), ONE_NEGOTIATION)
def test_with_one_negotiation_old_urls_move_to_its_scoped_url(
    client, old: str, scoped: str, _: str
) -> None:
    response = client.get(old, follow_redirects=False)
    assert response.status_code == 301, old
    assert response.headers["location"] == scoped.format(n=UKRAINE)
    assert "public" not in response.headers.get("cache-control", "")
    assert client.get(response.headers["location"]).status_code == 200


def choices(response) -> list[str]:  # type: ignore[no-untyped-def]
    if response.headers["content-type"].startswith("application/problem+json"):
        return [choice["url"] for choice in response.json()["choices"]]
    return [a["href"] for a in parse(response).select(".choices a")]


@pytest.mark.parametrize(("old", "scoped", "answer"), OLD_URLS)
def test_with_two_negotiations_old_urls_ask_which_or_move_to_the_one_that_fits(
    client, session, old: str, scoped: str, answer: str
) -> None:
    second_talks(session)
    response = client.get(old, follow_redirects=False)
    if answer == "ask":
        assert response.status_code == 300, old
        assert choices(response) == [scoped.format(n=UKRAINE), scoped.format(n=SUDAN)]
        assert "public" not in response.headers.get("cache-control", "")
        for url in choices(response):
            assert client.get(url).status_code == 200, url
    elif answer == "feed":
        assert response.status_code == 200, old
        root = ET.fromstring(response.content)
        titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
        # Across both negotiations, each entry naming its own.
        assert titles[0].startswith("Sudan talks: United States")
        assert any(t.startswith("Russia–Ukraine talks: ") for t in titles)
        # The subscription's id is the one it always had.
        assert root.find(f"{ATOM}id").text.endswith(":timeline")
    else:
        assert response.status_code == 301, old
        assert response.headers["location"] == scoped.format(n=answer)
        assert client.get(response.headers["location"]).status_code == 200


def test_the_api_asks_in_its_own_error_format(client, session) -> None:
    second_talks(session)
    response = client.get("/api/matrix?as_of=2025-01-31")
    assert response.status_code == 300
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 300 and body["instance"] == "/api/matrix"
    assert [c["negotiation"]["slug"] for c in body["choices"]] == [UKRAINE, SUDAN]


def test_old_urls_still_refuse_what_they_never_took(client, session) -> None:
    assert client.get("/timeline?party=atlantis", follow_redirects=False).status_code == 400
    assert client.get("/timeline?partie=russia", follow_redirects=False).status_code == 400
    assert client.get("/timeline.atom?demand=peace", follow_redirects=False).status_code == 400
    response = client.get("/api/matrix?date=2025-01-31", follow_redirects=False)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
