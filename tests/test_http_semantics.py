"""HTTP as RFC 9110 has it, on every route: HEAD wherever GET, conditional GET only on what a
shared cache may keep, one URL per view, and absolute URLs that no request header can bend."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import joined_sessionmaker
from tests.html import parse
from tests.test_shared_cache import fetch, get_paths

BASE = "https://parley.example.org"


def test_head_answers_wherever_get_does(admin_client, accounts) -> None:
    """Anonymous and as an admin (who may open every page): the GET's status and headers, no
    body. /healthz and /api included."""
    client = admin_client
    admin_cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    problems = []
    for who, headers in (("anonymous", {}), ("admin", {"Cookie": admin_cookie})):
        for path in get_paths(client.app, accounts.editor_id):
            client.cookies.clear()
            head = client.head(path, headers=headers, follow_redirects=False)
            get = fetch(client, path, headers)
            if head.status_code != get.status_code:
                problems.append(f"HEAD {path} ({who}): {head.status_code}, GET {get.status_code}")
            elif head.content != b"":
                problems.append(f"HEAD {path} ({who}) sent a body")
            elif head.headers.get("content-type") != get.headers.get("content-type"):
                problems.append(f"HEAD {path} ({who}) has another content type")
    assert problems == []
    client.cookies.clear()
    assert client.head("/healthz").status_code == 200


NEVER_NOT_MODIFIED = [
    "/statements/999999",  # 404
    "/nowhere",  # 404, no route
    "/parties/atlantis",  # 404
    "/api/statements/999999",  # 404 problem
    "/?as_of=2025-02-30",  # 400
    "/about?probe=1",  # 400: no such parameter
    "/statements/01",  # redirect to the canonical URL
    "/?since=",  # redirect: empty parameters dropped
    "/login",  # sets a cookie
    "/admin/users",  # redirect to the login page
    "/account",
    "/statements/new",
]


@pytest.mark.parametrize("path", NEVER_NOT_MODIFIED)
def test_no_304_for_what_is_not_a_cacheable_200(client, path: str) -> None:
    etag = fetch(client, "/", {}).headers["etag"]
    for tag in ("*", etag, f'"x", {etag}'):
        response = fetch(client, path, {"If-None-Match": tag})
        assert response.status_code != 304, (path, tag)
        assert "etag" not in response.headers, path
        assert "no-store" in response.headers["cache-control"], path


def test_no_304_for_an_admin_page(admin_client) -> None:
    response = admin_client.get("/admin/users", headers={"If-None-Match": "*"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"


def test_if_none_match_is_read_as_rfc_9110_says(client) -> None:
    etag = fetch(client, "/parties", {}).headers["etag"]
    strong = etag.removeprefix("W/")
    # `*` matches any current representation; lists and the weak comparison match too.
    for matching in ("*", etag, strong, f'"other", {etag}', f'W/"a,b", {strong}'):
        response = fetch(client, "/parties", {"If-None-Match": matching})
        assert response.status_code == 304, matching
        assert response.content == b"" and response.headers["etag"] == etag
    for other in ('W/"other"', '"other", W/"again"', "garbage"):
        assert fetch(client, "/parties", {"If-None-Match": other}).status_code == 200, other
    # With If-None-Match present, If-Modified-Since is not looked at (RFC 9110 13.1.3).
    last_modified = fetch(client, "/parties", {}).headers["last-modified"]
    both = {"If-None-Match": '"other"', "If-Modified-Since": last_modified}
    assert fetch(client, "/parties", both).status_code == 200
    # A 304 is for the page the client holds: not for a fragment's tag.
    fragment = fetch(client, "/parties", {"HX-Request": "true"}).headers["etag"]
    assert fetch(client, "/parties", {"If-None-Match": fragment}).status_code == 200


def test_a_304_before_the_page_is_rendered_once_is_still_a_304(app) -> None:
    """With nothing in the render cache (or the cache off), the route answers and its 200
    becomes the 304: the validators are the same either way."""
    with TestClient(app) as client:
        etag = fetch(client, "/talks/russia-ukraine/demands", {}).headers["etag"]
        app.state.render_cache._entries.clear()
        headers = {"If-None-Match": etag}
        assert fetch(client, "/talks/russia-ukraine/demands", headers).status_code == 304


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/statements/01", "/statements/1"),
        ("/statements/0001?saved=1", "/statements/1?saved=1"),
        ("/parties/russia?saved=", "/parties/russia"),
        ("/sources/01", "/sources/1"),
        ("/api/statements/01", "/api/statements/1"),
        ("/?since=", "/"),
        (
            "/talks/russia-ukraine?as_of=2025-01-31&since=",
            "/talks/russia-ukraine?as_of=2025-01-31",
        ),
        (
            "/talks/russia-ukraine/timeline?party=&demand=russian-withdrawal",
            "/talks/russia-ukraine/timeline?demand=russian-withdrawal",
        ),
        ("/search?q=ceasefire&page=", "/search?q=ceasefire"),
    ],
)
def test_spellings_of_a_view_redirect_to_its_canonical_url(client, path, canonical) -> None:
    response = fetch(client, path, {})
    assert response.status_code == 308
    assert response.headers["location"] == canonical
    assert fetch(client, canonical, {}).status_code == 200


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/about?probe=1", "probe"),
        ("/?as_off=2025-01-31", "as_off"),
        ("/statements/1?p=1", "p"),
        ("/?as_of=2025-01-31&as_of=2025-02-01", "as_of"),
        ("/api/parties?probe=1", "probe"),
        ("/statements/1?saved=2", "saved"),
    ],
)
def test_unknown_or_repeated_parameters_are_refused_with_a_clear_message(
    client, path, named
) -> None:
    response = fetch(client, path, {})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert named in response.json()["detail"]
    else:
        assert named in parse(response).select_one("main").get_text()


def test_every_page_takes_the_saved_notice_where_editors_land_after_a_save(client) -> None:
    """Saves redirect to `?saved=1` (the base template's "Saved." notice): never a 400."""
    for path in (
        "/statements/1?saved=1",
        "/parties/russia?saved=1",
        "/?saved=1",
        "/talks/russia-ukraine?saved=1",
    ):
        assert fetch(client, path, {}).status_code == 200, path


def test_junk_urls_leave_the_render_cache_alone(client) -> None:
    cache = client.app.state.render_cache
    fetch(client, "/about", {})
    before = (cache.size, len(cache._entries))
    for i in range(50):
        fetch(client, f"/about?probe={i}", {})
        fetch(client, f"/statements/{'0' * (i + 1)}1", {})
        fetch(client, f"/?since=&x{i}=", {})
    assert (cache.size, len(cache._entries)) == before
    # One view asked for with its parameters in another order is one entry too.
    fetch(client, "/talks/russia-ukraine?as_of=2025-01-31&since=2024-12-31", {})
    count = len(cache._entries)
    fetch(client, "/talks/russia-ukraine?since=2024-12-31&as_of=2025-01-31", {})
    assert len(cache._entries) == count


HOSTILE = [
    {"Host": "evil.example"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    {"Forwarded": "host=evil.example;proto=https", "X-Forwarded-For": "203.0.113.9"},
    {"Host": "evil.example:8443", "X-Forwarded-Host": "evil.example"},
]
FEEDS = [
    "/timeline.atom",
    "/talks/russia-ukraine/timeline.atom",
    "/talks/russia-ukraine/timeline.atom?party=russia",
    "/talks/russia-ukraine/timeline.atom?demand=russian-withdrawal&from=2024-01-01",
]


def test_no_request_header_bends_a_link_on_any_page_or_feed(client, accounts) -> None:
    paths = [*get_paths(client.app, accounts.editor_id), *FEEDS]
    problems = []
    for headers in HOSTILE:
        for path in paths:
            poisoned = fetch(client, path, headers)
            after = fetch(client, path, {})
            for label, response in (("poisoned", poisoned), ("the next reader", after)):
                seen = response.text + " ".join(v for _, v in response.headers.multi_items())
                if "evil.example" in seen:
                    problems.append(f"{path} {headers}: {label} got evil.example")
    assert problems == []


def feed_links(response: Any) -> list[str]:
    """Every link of an Atom feed (a regex: it is XML, and the HTML parser warns about it)."""
    return re.findall(r'<link href="([^"]*)"', response.text)


def test_feed_links_come_from_the_base_url_setting(settings, connection) -> None:
    app = create_app(settings.model_copy(update={"base_url": BASE}))
    app.state.sessionmaker = joined_sessionmaker(connection)
    with TestClient(app) as client:
        feed = "/talks/russia-ukraine/timeline.atom?party=russia"
        response = fetch(client, feed, {"Host": "evil.example"})
        links = feed_links(response)
        assert links and all(link.startswith(BASE + "/") for link in links), links
        assert f"{BASE}{feed}" in links
        assert f"{BASE}/statements/" in response.text


def test_development_feeds_link_to_the_default_development_address(client) -> None:
    feed = fetch(client, "/talks/russia-ukraine/timeline.atom", {"Host": "evil.example"})
    links = feed_links(feed)
    assert links and all(link.startswith("http://127.0.0.1:8000/") for link in links), links
