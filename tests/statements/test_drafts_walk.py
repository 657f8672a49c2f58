"""No draft reaches a reader (issue 19 item 1): every GET route of the app, walked anonymously
with its path parameters naming the draft's own records, in every view a reader can ask for
(retracted included, newest published first, far dates, a search for the draft's words)."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.models import Demand, Negotiation, Party
from tests.api.test_openapi import app_routes
from tests.factories import make_demand, make_negotiation, make_statement

SECRET = "Zebrafinch unpublished wording"
QUOTE = "Quokka quote nobody may read yet"
# Views that could let a draft slip in beside the public rows.
VIEWS: list[dict[str, str]] = [
    {},
    {"include_retracted": "true"},
    {"order": "entered"},
    {"as_of": "2099-12-31"},
    {"q": "Zebrafinch"},
]


def test_no_route_shows_a_draft_to_an_anonymous_reader(session, client: TestClient) -> None:
    talks = make_negotiation(session, statements_need_review=True)
    demand = make_demand(session, negotiation=talks)
    draft = make_statement(session, demand=demand, summary=SECRET, quote=QUOTE)
    assert draft.is_draft
    session.commit()
    party = session.get_one(Party, draft.party_id)
    negotiation = session.get_one(Negotiation, talks.id)
    demand = session.get_one(Demand, demand.id)
    fill = {
        "negotiation": negotiation.slug,
        "demand": demand.slug,
        "statement_id": str(draft.id),
        "source_id": str(draft.source_id),
        "record_id": str(draft.id),
        "kind_slug": "parties",
        "user_id": "1",
        "proposal": "none",
        "version": "1",
    }
    walked = 0
    leaks: list[str] = []
    for route in app_routes(client.app.routes):
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        names = route.param_convertors.keys()
        slug = (
            negotiation.slug
            if "/negotiations/" in route.path
            else demand.slug
            if "/demands/" in route.path
            else party.slug
        )
        path = route.path_format.format(**{n: fill.get(n, slug) for n in names})
        for view in VIEWS:
            response = client.get(path, params=view, follow_redirects=True)
            walked += 1
            if response.status_code >= 500:
                leaks.append(f"{path} {view}: {response.status_code}")
            # The search box echoes the word typed; the draft's own words must not appear.
            if SECRET in response.text or QUOTE in response.text:
                leaks.append(f"{path} {view}: shows the draft")
    assert walked > 100
    assert leaks == []
    assert client.get(f"/statements/{draft.id}").status_code == 404
    assert client.get(f"/api/statements/{draft.id}").status_code == 404
