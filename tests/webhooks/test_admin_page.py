"""The admin page of webhooks: real forms with real CSRF tokens; editors and readers are kept
out; bad input is a clear 400 with nothing stored."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import WebhookEndpoint
from tests.editors import csrf_of
from tests.html import parse, words


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0


def test_an_admin_adds_a_receiver_with_filters(admin_client, session) -> None:
    page = admin_client.get("/admin/webhooks")
    assert page.status_code == 200
    token = csrf_of(page)
    before = count(session)
    response = admin_client.post(
        "/admin/webhooks",
        data={"csrf_token": token, "url": "https://hooks.example.org/in", "kind_shift": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert count(session) == before + 1
    added = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())).first()
    assert added.kinds == "shift" and added.secret.startswith("whsec_")
    listing = parse(admin_client.get("/admin/webhooks"))
    row = words(listing.select_one(f"#endpoints tr[data-endpoint='{added.id}']"))
    assert "https://hooks.example.org/in" in row and "shift" in row


def test_bad_input_is_a_400_and_nothing_is_stored(admin_client, session) -> None:
    token = csrf_of(admin_client.get("/admin/webhooks"))
    before = count(session)
    for data in (
        {"url": "ftp://example.org/x"},
        {"url": "https://user:pw@example.org/x"},
        {"url": "https://example.org/" + "x" * 5000},
        {"url": "https://example.org/x", "party": "9" * 5000},
        {"url": ""},
        {"url": "https://example.org/\x00x"},
        {"url": "https://example.org/x", "negotiation": "٣"},
    ):
        response = admin_client.post("/admin/webhooks", data={"csrf_token": token, **data})
        assert response.status_code in (400, 413, 422), data
        assert count(session) == before
    bad = admin_client.post(
        "/admin/webhooks", data={"csrf_token": "forged", "url": "https://example.org/x"}
    )
    assert bad.status_code in (400, 403)
    assert count(session) == before


def test_readers_and_editors_are_kept_out(client, editor_client) -> None:
    assert client.get("/admin/webhooks", follow_redirects=False).status_code in (303, 401, 403)
    assert editor_client.get("/admin/webhooks", follow_redirects=False).status_code == 403
