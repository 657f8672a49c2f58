"""Bad input on `/api/` gets RFC 9457 problem details naming the parameter; pages keep HTML."""

from __future__ import annotations

import pytest

from app.ids import MAX_ID


def problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}
    assert body["status"] == status and body["type"] == "about:blank"
    assert "etag" not in response.headers and response.headers["cache-control"] == "no-store"
    return body


def named(body: dict) -> list[str]:
    return [error["name"] for error in body["errors"]]


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/api/statements?partie=russia", ["partie"]),
        ("/api/statements?party=russia&party=ukraine", ["party"]),
        ("/api/parties?limit=5", ["limit"]),
        ("/api/negotiations/russia-ukraine/matrix?as_of=2025-01-31&date=x", ["date"]),
        ("/api/statements?party=atlantis", ["party"]),
        ("/api/statements?demand=world-peace", ["demand"]),
        ("/api/statements?stance=maybe", ["stance"]),
        ("/api/statements?stance=3", ["stance"]),
        ("/api/statements?source=abc", ["source"]),
        ("/api/statements?source=99999999999", ["source"]),
        # "¹" is a digit to str.isdigit() but not to int(): a 400, not a 500.
        ("/api/statements?source=%C2%B9", ["source"]),
        ("/api/statements?limit=%C2%B2", ["limit"]),
        ("/api/statements?include_retracted=perhaps", ["include_retracted"]),
        ("/api/statements?from=2024-13-01&to=yesterday", ["from", "to"]),
        ("/api/statements?from=2024-02-01&to=2024-01-01", ["from"]),
        ("/api/negotiations/russia-ukraine/matrix?as_of=2025-02-30", ["as_of"]),
        ("/api/negotiations/russia-ukraine/matrix?as_of=2025-01-01&since=2025-06-01", ["since"]),
        ("/api/negotiations/russia-ukraine/gaps?parties=russia", ["parties"]),
        ("/api/negotiations/russia-ukraine/gaps?parties=russia,atlantis", ["parties"]),
        ("/api/negotiations/russia-ukraine/gaps?parties=russia,russia", ["parties"]),
        ("/api/negotiations/russia-ukraine/gaps", ["parties"]),
        ("/api/statements?cursor=yesterday", ["cursor"]),
        ("/api/statements?cursor=2025-02-30_4", ["cursor"]),
        ("/api/statements?cursor=2025-01-01_99999999999", ["cursor"]),
        ("/api/sources?cursor=-4", ["cursor"]),
        ("/api/statements/1/revisions?cursor=abc", ["cursor"]),
        ("/api/statements?limit=0", ["limit"]),
        ("/api/statements?limit=501", ["limit"]),
        ("/api/statements?limit=ten", ["limit"]),
        ("/api/sources?limit=-1", ["limit"]),
    ],
)
def test_bad_parameters_get_400_naming_each(client, url: str, names: list[str]) -> None:
    body = problem(client.get(url), 400)
    assert named(body) == names
    assert body["instance"] == url.split("?")[0]
    assert all(name in body["detail"] for name in names)
    # Nothing of pydantic's internals: no input echo, no documentation URLs, no 'loc' tuples.
    assert "pydantic" not in str(body) and "loc" not in body


@pytest.mark.parametrize(
    "url",
    [
        "/api/statements/999999",
        f"/api/statements/{MAX_ID + 1}",
        "/api/statements/99999999999999999999999",
        "/api/statements/0",
        "/api/statements/abc",
        "/api/statements/999999/revisions",
        "/api/parties/atlantis",
        "/api/parties/atlantis/revisions",
        "/api/demands/world-peace",
        "/api/sources/999999",
        f"/api/sources/{MAX_ID + 1}/revisions",
        "/api/nothing-here",
    ],
)
def test_unknown_ids_slugs_and_paths_get_404_problems(client, url: str) -> None:
    body = problem(client.get(url), 404)
    assert body["instance"] == url
    assert body["errors"] == []


def test_a_write_method_on_the_api_is_a_405_problem(client) -> None:
    body = problem(client.post("/api/statements"), 405)
    assert body["title"] == "Method Not Allowed"


def test_html_pages_keep_their_html_error_pages(client) -> None:
    response = client.get("/statements/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    response = client.get("/timeline?from=2024-13-01")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
