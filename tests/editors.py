"""Helpers for editor tests: a browser-like client that logs in and posts real forms."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Demand, Party, Revision, Source, Statement, User
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
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf_token": csrf_of(page), "email": user.email, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def counts(session: Session) -> dict[str, int]:
    """Rows and revisions: what a refused request must leave exactly as it was."""
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Statement, Source, Party, Demand, User, Revision)
    }


def post_form(
    client: TestClient, url: str, page_url: str, changes: dict[str, Any], **kwargs: Any
) -> Any:
    """Open `page_url`, take its form as rendered (token included), change fields, post it."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    data = {**form_fields(page), **changes}
    return client.post(url, data=data, follow_redirects=False, **kwargs)
