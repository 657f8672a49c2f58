"""CSRF by construction: every unsafe route asks for the token, whether or not it remembered to.

The check is installed on the whole app (create_app), so these tests walk the route table
rather than a list of known forms: a route someone adds tomorrow is covered the day it lands.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.csrf import EXEMPT_ROUTES, UNSAFE_METHODS
from app.models import Revision
from app.posted_forms import PostedForm
from app.webhooks.service import create_endpoint
from tests.api.test_openapi import app_routes
from tests.editors import counts, csrf_of
from tests.factories import make_statement
from tests.html import one, parse, words

TYPED = "A sentence an editor took care to type."


def unsafe_routes(app):  # type: ignore[no-untyped-def]
    return [
        route
        for route in app_routes(app.routes)
        if set(getattr(route, "methods", None) or ()) & UNSAFE_METHODS
    ]


def assert_refused_for_its_token(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, (response.request.url, response.status_code)
    page = parse(response)
    assert "could not be accepted" in words(one(page, "h1"))
    assert "security token" in words(one(page, "[role=alert]"))
    # The refused-form page: what was typed comes back, ready to send again.
    assert TYPED in [textarea.text for textarea in page.select("textarea")]


def test_every_unsafe_route_refuses_a_post_without_a_token_or_is_exempt(
    app, admin_client, session, editor
) -> None:
    statement = make_statement(session)
    revision_id = session.scalar(
        select(Revision.id).where(Revision.entity_type == "statement").limit(1)
    )
    endpoint = create_endpoint(session, "https://hooks.example.org/parley")
    session.flush()
    # A real record behind every path parameter, so that only the token stands in the way.
    values = {
        "statement_id": statement.id,
        "revision_id": revision_id,
        "kind_slug": "demands",
        "record_id": statement.demand_id,
        "direction": "down",
        "user_id": editor.id,
        # The proposal editor's forms: the demo's talks and one of its proposals.
        "negotiation": "russia-ukraine",
        "slug": "ukraine-peace-formula",
        "endpoint_id": endpoint.id,
    }
    before = counts(session)
    walked = set()
    for route in unsafe_routes(app):
        if route.name in EXEMPT_ROUTES:
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(values[m.group(1)]), route.path)
        for method in sorted(set(route.methods) & UNSAFE_METHODS):
            response = admin_client.request(
                method, path, data={"summary": TYPED, "reason": TYPED}, follow_redirects=False
            )
            assert_refused_for_its_token(response)
            walked.add(route.name)
    assert counts(session) == before
    # The walk saw the editors' forms (not an empty table), and each exemption is a real route.
    assert {"add_statement", "login", "logout", "user_role", "create", "add_webhook"} <= walked
    assert "webhook_replay" in walked
    assert set(EXEMPT_ROUTES) <= {route.name for route in unsafe_routes(app)}


def test_a_route_that_forgets_to_ask_for_the_token_is_still_guarded(
    app, editor_client, session
) -> None:
    ran: list[dict[str, str]] = []

    # The 22nd post route: it reads its form and never mentions CSRF.
    @app.post("/forgetful", name="forgetful")
    def forgetful(form: PostedForm) -> dict[str, str]:
        ran.append(form)
        return {}

    response = editor_client.post("/forgetful", data={"summary": TYPED}, follow_redirects=False)
    assert_refused_for_its_token(response)
    assert ran == []
    # With the browser's token, the same route runs.
    token = csrf_of(editor_client.get("/statements/new"))
    assert editor_client.post("/forgetful", data={"csrf_token": token}).status_code == 200
    assert len(ran) == 1


def test_the_csp_report_is_exempt_and_still_takes_reports(client) -> None:
    assert set(EXEMPT_ROUTES) == {"csp_report"}
    response = client.post(
        "/csp-report",
        content=b'{"csp-report": {"violated-directive": "style-src"}}',
        headers={"Content-Type": "application/csp-report"},
    )
    assert response.status_code == 204
