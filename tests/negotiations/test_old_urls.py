"""Every URL shape from before negotiations keeps working (issue 16): articles already link here.

One list of today's URL shapes, each followed: with one negotiation it lands on its scoped URL
with the query intact and answers 200; with a second negotiation sharing the United States, the
ambiguous ones answer 300 naming both, the unambiguous ones still 301.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.html import parse
from tests.negotiations.test_pages import second_talks

T = "/talks/russia-ukraine"


# (old URL, where it lands with one negotiation, whether a second negotiation makes it ambiguous).
# The timeline, its feed and /api/matrix rows are added by their own change.
OLD_URLS = [
    ("/?as_of=2025-01-31&since=2024-12-31", f"{T}?as_of=2025-01-31&since=2024-12-31", True),
    ("/demands", f"{T}/demands", True),
    (
        "/demands/russian-withdrawal?as_of=2025-01-31",
        f"{T}/demands/russian-withdrawal?as_of=2025-01-31",
        False,
    ),
    ("/demands/russian-withdrawal", f"{T}/demands/russian-withdrawal", False),
    (
        "/compare?parties=russia,ukraine&as_of=2025-01-31",
        f"{T}/compare?parties=russia%2Cukraine&as_of=2025-01-31",
        False,
    ),
    # The United States takes part in both: which talks' comparison is meant is a question.
    (
        "/compare?parties=russia,united-states",
        f"{T}/compare?parties=russia%2Cunited-states",
        False,
    ),
    ("/compare?parties=united-states", f"{T}/compare?parties=united-states", True),
    ("/compare", f"{T}/compare", True),
]


@pytest.mark.parametrize(("old", "scoped", "ambiguous"), OLD_URLS)
def test_each_old_url_moves_to_its_scoped_url_with_its_query(client, old, scoped, ambiguous):
    response = client.get(old, follow_redirects=False)
    assert response.status_code == 301, old
    assert response.headers["location"] == scoped
    landed = client.get(response.headers["location"], follow_redirects=False)
    # One party named is the compare page's own 400 ("pick at least two"), not a lost URL.
    assert landed.status_code == (400 if old.endswith("=united-states") else 200), scoped


@pytest.mark.parametrize(("old", "scoped", "ambiguous"), OLD_URLS)
def test_with_two_negotiations_the_ambiguous_ones_ask_which(
    client, session, old, scoped, ambiguous
):
    second_talks(session)
    response = client.get(old, follow_redirects=False)
    if not ambiguous:
        assert response.status_code == 301, old
        assert response.headers["location"] == scoped
        return
    assert response.status_code == 300, old
    links = [a["href"] for a in parse(response).select(".choices a")]
    paths = [urlsplit(link).path for link in links]
    assert paths[0].startswith(T) and paths[1].startswith("/talks/sudan"), links
    assert len(links) == 2
    query = urlsplit(old).query
    for link in links:
        assert urlsplit(link).query == urlsplit(scoped).query or (
            query and all(part in link for part in query.split("&")[1:])
        )
        assert client.get(link, follow_redirects=False).status_code in (200, 400), link


def test_a_demand_of_the_other_negotiation_moves_there(client, session) -> None:
    second_talks(session)
    response = client.get("/demands/humanitarian-truce?as_of=2025-01-31", follow_redirects=False)
    assert response.status_code == 301
    assert (
        response.headers["location"] == "/talks/sudan/demands/humanitarian-truce?as_of=2025-01-31"
    )


def test_a_demand_slug_in_no_negotiation_is_a_404(client) -> None:
    assert client.get("/demands/atlantis", follow_redirects=False).status_code == 404
    assert client.get("/demands/" + "x" * 5000, follow_redirects=False).status_code == 404


def test_old_urls_keep_refusing_what_they_never_took(client) -> None:
    for url in ("/demands?x=1", "/demands/russian-withdrawal?as_off=2025-01-31", "/compare?p=1"):
        assert client.get(url, follow_redirects=False).status_code == 400, url


def test_an_old_url_costs_a_query_or_two_whatever_the_data(client, session, queries) -> None:
    second_talks(session)
    for old in ("/demands/russian-withdrawal", "/compare?parties=russia,ukraine", "/demands"):
        queries.clear()
        assert client.get(old, follow_redirects=False).status_code in (300, 301)
        # The data version, then the negotiations that fit.
        assert queries.count == 2, (old, queries.statements)
