"""API responses ride the same HTTP caching as pages, carry CORS for reads only, and cost a
fixed number of queries whatever the data."""

from __future__ import annotations

import pytest

from tests.factories import make_party, make_statement
from tests.html import parse

API_URLS = [
    "/api/statements",
    "/api/statements/1",
    "/api/statements.csv",
    "/api/parties",
    "/api/negotiations/russia-ukraine/matrix?as_of=2025-01-31",
    "/api/negotiations/russia-ukraine/gaps?parties=russia,ukraine",
]


@pytest.mark.parametrize("url", API_URLS)
def test_api_responses_get_etag_and_304(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    etag = response.headers["etag"]
    assert response.headers["cache-control"].startswith("public")
    assert response.headers["last-modified"].endswith("GMT")
    repeat = client.get(url, headers={"If-None-Match": etag})
    assert repeat.status_code == 304 and repeat.content == b""


def test_a_write_changes_the_api_etag(client, session) -> None:
    etag = client.get("/api/statements").headers["etag"]
    statement = make_statement(session)
    session.commit()
    response = client.get("/api/statements", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag
    # Stated on 2025-03-01, after every demo statement: the newest.
    assert response.json()["items"][0]["id"] == statement.id


def test_repeat_api_request_is_served_without_querying_more_than_the_version(
    client, queries
) -> None:
    first = client.get("/api/negotiations/russia-ukraine/matrix?as_of=2025-01-31")
    queries.clear()
    again = client.get("/api/negotiations/russia-ukraine/matrix?as_of=2025-01-31")
    assert again.content == first.content
    assert queries.count == 1  # the data version; the body came from the render cache


def test_api_gets_allow_any_origin(client) -> None:
    response = client.get("/api/parties", headers={"Origin": "https://elsewhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    # Errors and 304s too: a script must be able to read why, and revalidate.
    assert client.get("/api/parties/atlantis").headers["access-control-allow-origin"] == "*"
    etag = response.headers["etag"]
    not_modified = client.get("/api/parties", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.headers["access-control-allow-origin"] == "*"


def test_preflight_is_answered_for_get_only(client) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    allowed = client.options(
        "/api/statements", headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == "*"
    assert allowed.headers["access-control-allow-methods"] == "GET, HEAD"
    refused = client.options(
        "/api/statements", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in refused.headers
    posted = client.post("/api/statements", headers=origin)
    assert "access-control-allow-origin" not in posted.headers


@pytest.mark.parametrize("url", ["/", "/timeline", "/docs", "/openapi.json", "/healthz"])
def test_nothing_outside_the_api_gets_cors_headers(client, url: str) -> None:
    response = client.get(url, headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        url,
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def count(client, queries, url: str) -> int:  # type: ignore[no-untyped-def]
    queries.clear()
    response = client.get(url)
    assert response.status_code == 200, response.text
    return queries.count


# The data version, then what each endpoint needs: fixed, whatever the data or page size.
QUERY_COUNTS = {
    # parties and demands (to resolve slugs), the page, its statements' conditions (issue 18)
    "/api/statements?limit={n}": 5,
    "/api/statements?party=russia&stance=rejects&limit={n}": 5,
    # … plus the source
    "/api/statements?source=1&limit={n}": 6,
    "/api/sources?limit={n}": 2,
    "/api/statements/1/revisions?limit={n}": 3,
    # the only negotiation, then its participants, demands and cells (which carry their
    # conditions and offers, issue 18)
    "/api/negotiations/russia-ukraine/matrix?as_of=2025-01-{n:02d}": 5,
    "/api/negotiations/russia-ukraine/gaps?parties=russia,ukraine&as_of=2025-01-{n:02d}": 5,
}


@pytest.mark.parametrize(("template", "expected"), QUERY_COUNTS.items())
def test_list_endpoints_cost_a_fixed_number_of_queries(
    client, session, queries, template: str, expected: int
) -> None:
    small = count(client, queries, template.format(n=1))
    party = make_party(session)
    for _ in range(30):
        make_statement(session, party=party)
    session.commit()
    large = count(client, queries, template.format(n=30))
    assert small == large == expected


def test_one_record_costs_one_query_after_the_version(client, queries) -> None:
    assert count(client, queries, "/api/parties") == 2
    assert count(client, queries, "/api/demands") == 2
    assert count(client, queries, "/api/statements/2") == 5  # conditions, credit (2)
    assert count(client, queries, "/api/parties/russia") == 2


def test_footer_links_the_api_docs_and_the_csv_download(client) -> None:
    page = parse(client.get("/"))
    links = {a["href"] for a in page.select("footer a")}
    assert {"/docs", "/api/statements.csv"} <= links
