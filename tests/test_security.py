"""Security headers on every response; oversized bodies refused; a lost database is a 503."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.main import create_app
from app.security import CONTENT_SECURITY_POLICY, BodySizeLimitMiddleware
from app.settings import Settings
from tests.html import one, parse, words

PAGES = ["/", "/?as_of=2025-02-30", "/statements/1", "/statements/0", "/nowhere", "/healthz"]


@pytest.mark.parametrize("path", [*PAGES, "/static/css/parley.css"])
def test_every_response_carries_the_security_headers(client, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"):
        assert directive in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "strict-transport-security" not in headers  # development


def test_production_adds_hsts(settings) -> None:
    production = settings.model_copy(update={"environment": "production", "secret_key": "s" * 40})
    with TestClient(create_app(production)) as client:
        assert "max-age=" in client.get("/healthz").headers["strict-transport-security"]


def test_pages_carry_no_inline_script_or_style(client) -> None:
    for path in PAGES[:3]:
        page = parse(client.get(path))
        assert all(script.get("src") for script in page.select("script"))
        assert not page.select("style, [style]")


def test_anonymous_pages_set_no_cookie(client) -> None:
    for path in PAGES:
        assert "set-cookie" not in client.get(path).headers


def test_a_body_over_the_cap_is_refused_before_parsing(client, settings) -> None:
    response = client.post("/", content=b"x" * (settings.max_body_bytes + 1))
    assert response.status_code == 413
    assert "too large" in response.text


def test_a_streamed_body_over_the_cap_is_refused_while_it_is_read() -> None:
    # No route of ours reads bodies yet, so the middleware guards one that does.
    async def echo_length(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    app = BodySizeLimitMiddleware(
        Starlette(routes=[Route("/", echo_length, methods=["POST"])]), max_bytes=100_000
    )

    def chunks(count: int):  # type: ignore[no-untyped-def]
        for _ in range(count):
            yield b"x" * 10_000

    with TestClient(app) as client:
        assert client.post("/", content=chunks(10)).text == "100000"
        refused = client.post("/", content=chunks(11))
        assert refused.status_code == 413
        assert "100,000 bytes" in refused.text


def test_an_unreachable_database_is_a_503_page_with_a_retry_hint() -> None:
    down = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/parley")
    with TestClient(create_app(down)) as client:
        response = client.get("/")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "try again" in words(one(parse(response), "[role=alert]"))
        assert client.get("/healthz").status_code == 503


def test_the_policy_asks_browsers_to_report_violations_to_us(client) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "report-uri /csp-report" in csp.split("; ")


def test_a_csp_report_is_logged_as_a_warning_and_answered_204(client, caplog) -> None:
    report = {
        "csp-report": {
            "document-uri": "http://127.0.0.1/parties",
            "violated-directive": "style-src-attr",
            "blocked-uri": "inline",
            "source-file": "http://127.0.0.1/static/vendor/htmx.min.js",
            "line-number": 1,
            "script-sample": "x" * 5000,
        }
    }
    with caplog.at_level("WARNING", logger="parley.csp"):
        response = client.post(
            "/csp-report", json=report, headers={"Content-Type": "application/csp-report"}
        )
    assert response.status_code == 204
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    [record] = caplog.records
    assert "style-src-attr" in record.getMessage() and "/parties" in record.getMessage()
    assert "xxxx" not in record.getMessage()  # the sample is not ours to keep


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"not json", 400), (b'{"other": 1}', 400), (b"[1, 2]", 400), (b" " * 9000, 413)],
)
def test_what_is_not_a_csp_report_is_refused_and_not_logged(
    client, caplog, body: bytes, status: int
) -> None:
    with caplog.at_level("WARNING", logger="parley.csp"):
        response = client.post(
            "/csp-report", content=body, headers={"Content-Type": "application/csp-report"}
        )
    assert response.status_code == status
    assert caplog.records == []
    assert client.get("/csp-report").status_code in (404, 405)


def test_the_form_limit_is_the_setting(settings) -> None:
    small = settings.model_copy(update={"max_form_bytes": 2048})
    with TestClient(create_app(small)) as client:
        response = client.post(
            "/login",
            content=b"email=" + b"x" * 3000,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413
    assert "over 2 kB" in words(one(parse(response), "[role=alert]"))


def test_a_form_limit_over_the_body_cap_is_refused() -> None:
    with pytest.raises(ValueError, match="max_form_bytes"):
        Settings(max_body_bytes=4096, max_form_bytes=8192)
