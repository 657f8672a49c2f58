"""Anonymous pages carry validators; unchanged data answers 304 without rendering."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from app.caching import VERSION_QUERY, CachedResponse, DataVersion, RenderCache, track
from tests.factories import make_statement
from tests.html import parse


def test_anonymous_page_carries_etag_last_modified_and_public_cache_control(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["etag"].startswith('W/"')
    assert response.headers["last-modified"].endswith("GMT")
    assert response.headers["cache-control"].startswith("public")
    assert "set-cookie" not in response.headers
    assert "Cookie" in response.headers["vary"] and "HX-Request" in response.headers["vary"]


def test_matching_if_none_match_gets_304_after_one_query(client, queries) -> None:
    etag = client.get("/statements/1").headers["etag"]
    queries.clear()
    response = client.get("/statements/1", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert queries.count == 1  # the data version, nothing else


def test_if_modified_since_gets_304_when_nothing_changed(client) -> None:
    last_modified = client.get("/").headers["last-modified"]
    unchanged = client.get("/", headers={"If-Modified-Since": last_modified})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["last-modified"] == last_modified
    stale = "Mon, 01 Jan 2024 00:00:00 GMT"
    for since in (stale, "garbage"):
        response = client.get("/", headers={"If-Modified-Since": since})
        assert response.status_code == 200, since
        assert parse(response).select("#matrix td[data-stance]"), since


def test_a_write_changes_the_version_so_the_old_etag_no_longer_matches(client, session) -> None:
    etag = client.get("/").headers["etag"]
    make_statement(session)
    session.commit()
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_fragment_and_page_have_different_etags(client) -> None:
    page = client.get("/").headers["etag"]
    fragment = client.get("/", headers={"HX-Request": "true"}).headers["etag"]
    assert page != fragment
    assert client.get("/", headers={"If-None-Match": page, "HX-Request": "true"}).status_code == 200


def test_errors_and_health_are_not_cached(client) -> None:
    assert "etag" not in client.get("/?as_of=2025-02-30").headers
    assert "etag" not in client.get("/nowhere").headers
    assert client.get("/healthz").headers["cache-control"] == "no-store"


def test_requests_with_a_session_cookie_are_never_shared(client, settings) -> None:
    client.cookies.set(settings.session_cookie, "anything")
    response = client.get("/")
    assert "etag" not in response.headers
    assert "public" not in response.headers.get("cache-control", "")


def current(version: DataVersion):  # type: ignore[no-untyped-def]
    # Its own thread: the browser tests' Playwright may own this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, version.current()).result()


def test_a_committed_write_in_this_process_refreshes_a_cached_version(app, session) -> None:
    version = track(DataVersion(lambda: app.state.sessionmaker(), ttl=3600))
    before = current(version)
    make_statement(session)
    assert current(version) == before  # still trusted: nothing committed yet
    session.commit()
    assert current(version).revision_id > before.revision_id


def test_a_repeat_request_is_served_from_the_render_cache(client, queries) -> None:
    first = client.get("/talks/russia-ukraine?as_of=2025-01-31")
    queries.clear()
    again = client.get("/talks/russia-ukraine?as_of=2025-01-31")
    assert again.text == first.text
    assert again.headers["etag"] == first.headers["etag"]
    assert queries.count == 1  # the data version only: nothing rendered, nothing queried


def test_the_render_cache_never_serves_a_page_from_before_a_write(client, session) -> None:
    before = client.get("/talks/russia-ukraine?as_of=2099-01-01")
    make_statement(session, summary="A brand new position.")
    session.commit()
    after = client.get("/talks/russia-ukraine?as_of=2099-01-01")
    assert "A brand new position." in after.text
    assert "A brand new position." not in before.text


def test_render_cache_drops_the_least_recently_used_to_stay_within_its_bytes() -> None:
    cache = RenderCache(max_bytes=2)
    entry = CachedResponse(200, [], b"x")
    cache.put(("a",), entry)
    cache.put(("b",), entry)
    cache.get(("a",))
    cache.put(("c",), entry)
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is entry and cache.get(("c",)) is entry
    cache.put(("c",), entry)  # the same key again takes no more room
    assert cache.size == 2 and cache.get(("a",)) is entry
    cache.put(("big",), CachedResponse(200, [], b"xyz"))  # larger than the whole cache
    assert cache.get(("big",)) is None and cache.size == 2


def test_the_data_version_is_read_from_the_ends_of_two_indexes(session) -> None:
    """Not a scan of the revision table or its index: it runs once a second in every process."""
    dialect = session.get_bind().dialect
    sql = str(VERSION_QUERY.compile(dialect=dialect))
    if dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "SCAN revision" not in plan and plan.count("SEARCH revision") == 2, plan
    else:
        plan = " ".join(row[0] for row in session.execute(text("EXPLAIN " + sql)))
        assert "Seq Scan" not in plan and "Index Only Scan Backward" in plan, plan
