"""What a shared cache may keep, tested as an attacker would (DESIGN.md, issue 13).

Every GET route of the app's route table × every session state (anonymous; an editor whose
cookie is spelled plainly, with a space or a tab before the `=`, or after another cookie) × every
htmx variant (none, HX-Request, HX-Request with HX-History-Restore-Request), in several orders:
nothing of a logged-in response ever reaches an anonymous request, and no fragment answers a
request for the whole page.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.links import declared_routes
from tests.editors import csrf_of, log_in

NO_HTMX: dict[str, str] = {}
HX = {"HX-Request": "true"}
RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
VARIANTS = {"none": NO_HTMX, "hx": HX, "restore": RESTORE}
# How a browser, a proxy or an attacker may spell the session cookie: Starlette reads them all.
SPELLINGS = {
    "plain": "{name}={value}",
    "space": "{name} ={value}",
    "tab": "{name}\t={value}",
    "after-another": "theme=dark; {name} = {value}",
}

# Sample values for path parameters, from the demo data and the test accounts.
SAMPLE_SLUGS = {"party": "russia", "demand": "nato-renunciation"}
SAMPLE_QUERIES = {
    "compare": "parties=russia,ukraine",
    "api_gaps": "parties=russia,ukraine",
    "search": "q=ceasefire",
}


def sample_path(route: Any, user_id: int) -> str:
    values: dict[str, object] = {}
    for name in route.param_convertors:
        if name == "slug":
            kind = "demand" if "demand" in route.name else "party"
            values[name] = SAMPLE_SLUGS[kind]
        elif name == "kind_slug":
            values[name] = "parties"
        elif name == "user_id":
            values[name] = user_id
        elif name == "path":
            values[name] = "favicon.svg"
        else:
            values[name] = 1
    path = route.url_path_for(route.name, **values)
    query = SAMPLE_QUERIES.get(route.name)
    return f"{path}?{query}" if query else str(path)


def get_routes(app: Any) -> list[Any]:
    return [
        route
        for route in declared_routes(app)
        if "GET" in (getattr(route, "methods", None) or ())
        # The API's CSV export streams every statement; it is walked by tests/api.
        and route.name != "api_statements_csv"
    ]


def get_paths(app: Any, user_id: int) -> list[str]:
    return [sample_path(route, user_id) for route in get_routes(app)]


def test_the_walk_covers_every_get_route(app, accounts) -> None:
    paths = get_paths(app, accounts.editor_id)
    assert len(paths) >= 40
    assert {"/", "/login", "/account", "/admin/users", "/healthz", "/api/parties"} <= set(paths)


def fetch(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    """One request carrying exactly `headers`: the client's cookie jar stays out of it."""
    client.cookies.clear()
    response = client.get(path, headers=headers, follow_redirects=False)
    client.cookies.clear()
    return response


def session_of(cookie_value: str) -> dict[str, Any]:
    """What a Starlette session cookie holds (signed, not encrypted)."""
    payload = cookie_value.split(".")[0]
    data: dict[str, Any] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def is_html(response: Any) -> bool:
    return response.headers.get("content-type", "").startswith("text/html")


def is_whole_page(response: Any) -> bool:
    return response.text.lstrip().lower().startswith("<!doctype html")


def secrets_of(response: Any, session_value: str, csrf: str) -> list[str]:
    """What of a logged-in answer shows in `response`: its cookie, token, or logged-in chrome."""
    seen = " ".join([response.text, *(f"{k}: {v}" for k, v in response.headers.multi_items())])
    found = [marker for marker in (session_value, csrf, "Ed Itor") if marker in seen]
    if "Log out" in response.text:
        found.append("Log out")
    return found


# Each spelling, and each variant asked for first. The spelling decides whether the app takes the
# request for the editor's, so whether anything logged in could be kept; the editor's three
# variants always come before any anonymous request, so the order cannot hide a leak. The order
# decides which anonymous variant a cache sees first (a fragment kept for a whole page), and the
# spelling does not touch anonymous requests. The two work apart: each spelling once, with the
# orders taken in turn, covers what the twelve combinations did.
SPELLING_AND_FIRST = [
    (spelling, list(VARIANTS)[i % len(VARIANTS)]) for i, spelling in enumerate(SPELLINGS)
]


@pytest.mark.parametrize(("spelling", "first"), SPELLING_AND_FIRST)
def test_no_logged_in_response_reaches_an_anonymous_reader_nor_a_fragment_a_whole_page(
    client, editor, settings, spelling: str, first: str
) -> None:
    log_in(client, editor)
    value = client.cookies[settings.session_cookie]
    csrf = session_of(value)["csrf"]
    cookie = SPELLINGS[spelling].format(name=settings.session_cookie, value=value)
    names = list(VARIANTS)
    order = names[names.index(first) :] + names[: names.index(first)]

    problems: list[str] = []
    for path in get_paths(client.app, editor.id):
        # The editor first, in each variant: any of it a cache kept would show below.
        logged_in = {
            name: fetch(client, path, {**VARIANTS[name], "Cookie": cookie}) for name in order
        }
        for name in [*order, order[0]]:
            anonymous = fetch(client, path, VARIANTS[name])
            where = f"{path} [{name}, after the editor's {spelling} cookie]"
            leaked = secrets_of(anonymous, value, csrf)
            if leaked:
                problems.append(f"{where}: an anonymous reader got {leaked}")
            if anonymous.status_code != 200 or not is_html(anonymous):
                continue
            if name != "hx" and not is_whole_page(anonymous):
                problems.append(f"{where}: a fragment answered a request for the whole page")
            if len(re.findall(r"<html", anonymous.text, flags=re.IGNORECASE)) > 1:
                problems.append(f"{where}: a page inside the page")
            editor_answer = logged_in[name]
            # The editor's answer was rendered for its request, never stored: it says whether
            # this route answers htmx with a fragment.
            if (
                name == "hx"
                and editor_answer.status_code == 200
                and is_html(editor_answer)
                and is_whole_page(anonymous) != is_whole_page(editor_answer)
            ):
                problems.append(f"{where}: a whole page answered a fragment request")
    assert problems == []


def test_three_anonymous_visits_to_login_get_three_sessions(client, settings) -> None:
    sessions, tokens = set(), set()
    for _ in range(3):
        response = fetch(client, "/login", {})
        assert response.status_code == 200
        set_cookie = response.headers["set-cookie"]
        assert set_cookie.startswith(f"{settings.session_cookie}=")
        sessions.add(set_cookie.split(";")[0])
        tokens.add(csrf_of(response))
        assert "public" not in response.headers["cache-control"]
        assert "etag" not in response.headers
    assert len(sessions) == 3 and len(tokens) == 3


def test_the_cache_key_and_vary_name_the_same_headers(client) -> None:
    """Vary names every header the key varies on; each htmx variant has its own ETag."""
    tags = set()
    for headers in VARIANTS.values():
        response = fetch(client, "/", headers)
        vary = {name.strip().lower() for name in response.headers["vary"].split(",")}
        assert {"hx-request", "hx-history-restore-request", "cookie"} <= vary
        tags.add(response.headers["etag"])
    assert len(tags) == 3
    # A made-up value is no variant of its own: htmx sends "true" or nothing.
    odd = fetch(client, "/", {"HX-Request": "yes please"})
    assert odd.headers["etag"] == fetch(client, "/", {}).headers["etag"]
