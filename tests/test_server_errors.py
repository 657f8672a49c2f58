"""A 500 is still one of our responses: security headers, problem+json from the API, a page
(not Starlette's plain text) elsewhere, and nothing cached.

The failures are real: routes added by this test that raise, and a database that goes away in
the middle of a request. Nothing of the app is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.main import create_app
from app.settings import Settings
from tests.editors import csrf_of
from tests.html import parse
from tests.test_headers_everywhere import assert_security_headers


def _fails() -> None:
    raise RuntimeError("a bug in a route")


def _fails_after_reading(request: Request) -> None:
    # A failure deep in a real request, after the session and the data version were read.
    request.session["touched"] = True
    {}["missing"]  # a KeyError, as a real bug would raise


@pytest.fixture
def failing_client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The app with test-only routes that fail; the client sees the 500s as a browser would."""
    for path, endpoint in (
        ("/test-only/fails", _fails),
        ("/test-only/fails-late", _fails_after_reading),
        ("/api/test-only/fails", _fails),
    ):
        app.add_api_route(path, endpoint, methods=["GET", "POST"])
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("path", ["/test-only/fails", "/test-only/fails-late"])
@pytest.mark.parametrize("hx", [False, True])
def test_a_page_that_fails_is_a_500_page_with_the_security_headers(
    failing_client, path: str, hx: bool
) -> None:
    headers = {"HX-Request": "true"} if hx else {}
    response = failing_client.get(path, headers=headers)
    assert response.status_code == 500
    assert_security_headers(response.headers)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = parse(response)
    assert page.select_one("h1").get_text(strip=True) == "Something went wrong"
    assert "a bug in a route" not in response.text and "KeyError" not in response.text


def test_an_api_route_that_fails_is_problem_json_with_the_security_headers(
    failing_client,
) -> None:
    response = failing_client.get("/api/test-only/fails")
    assert response.status_code == 500
    assert_security_headers(response.headers)
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 500 and body["title"] == "Internal Server Error"
    assert "RuntimeError" not in response.text


def test_a_post_that_fails_carries_the_headers_too(failing_client) -> None:
    # A real token from the login page: every POST is checked for one before the route runs.
    token = csrf_of(failing_client.get("/login").text)
    response = failing_client.post("/test-only/fails", data={"a": "b", "csrf_token": token})
    assert response.status_code == 500
    assert_security_headers(response.headers)


def test_a_database_dropped_mid_request_is_answered_with_the_headers(tmp_path) -> None:
    """A real failure: the request's own query finds its table gone (SQLite file of its own)."""
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.demo import load_demo
    from app.migrate import upgrade

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'dropped.db'}", data_version_ttl=0)
    engine = make_engine(settings)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        load_demo(session)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/parties").status_code == 200
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE statement_fts"))
            # Its published record (?recorded=) holds keys into it: SQLite refuses the drop.
            connection.execute(text("DROP TABLE statement_record"))
            connection.execute(text("DROP TABLE statement"))
        for path in ("/parties/ukraine", "/api/statements"):
            response = client.get(path)
            assert response.status_code >= 500, path
            assert_security_headers(response.headers)
            if path.startswith("/api/"):
                assert response.headers["content-type"] == "application/problem+json"
            else:
                assert response.headers["content-type"].startswith("text/html")
    engine.dispose()
