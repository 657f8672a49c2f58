"""Helpers for editor tests: a browser-like client that logs in and posts real forms."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.second_factor import VALID_WINDOW, code_at, current_step, unseal
from app.models import (
    Demand,
    Negotiation,
    Participation,
    Party,
    Revision,
    Source,
    Statement,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests.factories import PASSWORD
from tests.html import parse


def form_fields(html: object, selector: str = "form.editor-form") -> dict[str, str]:
    """Every named field of the first form matching `selector`, as the browser would send it."""
    form = parse(html).select_one(selector)
    assert form is not None, f"no form {selector!r}"
    fields: dict[str, str] = {}
    for element in form.select("input[name], textarea[name], select[name]"):
        name = element["name"]
        if element.name == "textarea":
            fields[name] = element.text
        elif element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            fields[name] = chosen.get("value", "") if chosen else ""
        elif element.get("type") in ("radio", "checkbox"):
            if element.has_attr("checked"):
                fields[name] = element.get("value", "on")
        else:
            fields.setdefault(name, element.get("value", ""))
    return fields


def csrf_of(html: object) -> str:
    token = parse(html).select_one("input[name=csrf_token]")
    assert token is not None, "the page has no CSRF token"
    return str(token["value"])


def log_in(client: TestClient, user: User, password: str = PASSWORD) -> None:
    """Log in through the real forms: the password, then the second factor if the account has
    one (a code from its authenticator, computed here as the app on a phone would)."""
    response = enter_password(client, user, password)
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/login/second-factor":
        response = enter_code(client, fresh_code(client, user.id))
        assert response.status_code == 303, response.text


def enter_password(client: TestClient, user: User, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf_token": csrf_of(page), "email": user.email, "password": password},
        follow_redirects=False,
    )


def enter_code(client: TestClient, code: str, url: str = "/login/second-factor") -> Any:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return client.post(
        url, data={"csrf_token": csrf_of(page), "code": code}, follow_redirects=False
    )


def totp_secret(client: TestClient, user_id: int) -> str:
    """The account's stored TOTP secret, decrypted with the app's key (what the phone holds)."""
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = session.get(User, user_id).totp_secret
    secret = unseal(stored, client.app.state.settings.secret_key)  # type: ignore[attr-defined]
    assert secret is not None
    return secret


def fresh_code(client: TestClient, user_id: int) -> str:
    """A code the app will take now: for the current step, or a later one if that was used
    (codes are good once), waiting for the clock when the window is used up."""
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        last = session.get(User, user_id).totp_last_step
    secret = totp_secret(client, user_id)
    step = current_step() if last is None else max(current_step(), last + 1)
    while step > current_step() + VALID_WINDOW:
        time.sleep(0.5)
    return code_at(secret, step)


def counts(session: Session) -> dict[str, int]:
    """Rows and revisions: what a refused request must leave exactly as it was."""
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (
            *(Statement, Source, Party, Demand, Negotiation, Participation, User, Revision),
            # The webhooks' receivers and outbox (admins' /admin/webhooks and every write).
            *(WebhookEndpoint, WebhookEvent, WebhookDelivery),
        )
    }


def post_form(
    client: TestClient, url: str, page_url: str, changes: dict[str, Any], **kwargs: Any
) -> Any:
    """Open `page_url`, take its form as rendered (token included), change fields, post it."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    data = {**form_fields(page), **changes}
    return client.post(url, data=data, follow_redirects=False, **kwargs)
