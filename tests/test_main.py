"""The route table: no route's place in it decides which route a URL reaches."""

from __future__ import annotations

from starlette.routing import Match, Route

from app.main import create_app
from tests.api.test_openapi import app_routes


def test_a_fixed_path_matches_one_route_whatever_the_order(settings) -> None:
    """/statements/new is no statement id, /edit/sources/suggest no source id: each fixed path
    is matched by its own route alone, so create_app may include the routers in any order."""
    routes = [r for r in app_routes(create_app(settings).routes) if isinstance(r, Route)]
    shared = {}
    for fixed in routes:
        if "{" in fixed.path:
            continue
        for method in fixed.methods or ():
            scope = {"type": "http", "path": fixed.path, "method": method}
            matching = [r.name for r in routes if r.matches(scope)[0] == Match.FULL]
            if len(matching) > 1:
                shared[f"{method} {fixed.path}"] = matching
    assert shared == {}
