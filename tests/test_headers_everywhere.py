"""The security headers on every kind of response, not only reader pages; and reader pages that
may be cached carry nothing personal (no cookie, no CSRF token)."""

from __future__ import annotations

import pytest

from app.models import Statement
from app.security import CONTENT_SECURITY_POLICY, EMBED_CONTENT_SECURITY_POLICY
from tests.editors import counts
from tests.test_security import PAGES

READER_PAGES = [
    "/",
    "/parties",
    "/parties/ukraine",
    "/demands",
    "/sources",
    "/statements/1",
    "/search?q=ceasefire",
    "/about",
    "/corrections",
]
EDITOR_PAGES = [
    "/statements/new",
    "/statements/1/edit",
    "/statements/1/retract",
    "/edit",
    "/edit/parties",
    "/edit/parties/new",
    "/edit/parties/1",
    "/edit/demands/1",
    "/edit/sources/1",
    "/admin/users",
    "/review",
]
API = [
    "/api/statements",
    "/api/statements/1",
    "/api/parties",
    "/api/demands",
    "/api/sources",
    "/api/statements/999999",
    "/openapi.json",
]


def assert_security_headers(headers, *, framable: bool = False) -> None:  # type: ignore[no-untyped-def]
    """`framable`: an embed (under /embed/), the only pages other sites may frame."""
    if framable:
        assert headers["content-security-policy"] == EMBED_CONTENT_SECURITY_POLICY
        assert "x-frame-options" not in headers
    else:
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cross-origin-opener-policy"] == "same-origin"


@pytest.mark.parametrize("path", EDITOR_PAGES)
def test_editor_pages_carry_the_headers_and_are_never_stored(admin_client, path: str) -> None:
    response = admin_client.get(path)
    assert response.status_code == 200, path
    assert_security_headers(response.headers)
    assert response.headers["cache-control"] == "private, no-store"


def test_a_refused_post_carries_the_headers(editor_client, session) -> None:
    before = counts(session)
    refused = editor_client.post("/statements/1/edit", data={"summary": "no token"})
    assert refused.status_code == 403
    assert_security_headers(refused.headers)
    assert counts(session) == before
    assert session.get(Statement, 1).summary != "no token"


@pytest.mark.parametrize("path", API)
def test_api_responses_carry_the_headers(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404), path
    assert_security_headers(response.headers)
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("path", [*READER_PAGES, *PAGES])
def test_anonymous_pages_carry_no_cookie_and_no_csrf_token(client, path: str) -> None:
    response = client.get(path)
    assert_security_headers(response.headers)
    assert "set-cookie" not in response.headers
    assert "csrf" not in response.text.lower()
    if response.status_code == 200:
        assert "private" not in response.headers.get("cache-control", "")
