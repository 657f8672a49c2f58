from __future__ import annotations

from types import SimpleNamespace

from fastapi import APIRouter

from app import templating
from app.auth.sessions import header_account
from app.links import declared_routes, per_app
from app.main import create_app
from app.templating import path_for
from tests.html import one, parse, words


def test_unknown_url_gets_a_404_page_with_a_way_back(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = parse(response)
    assert "no page at this address" in words(one(page, "[role=alert]"))
    assert page.select_one("main a[href='/']") is not None


def test_healthz_reports_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_htmx_is_served_from_our_own_static_files(client) -> None:
    page = parse(client.get("/"))
    src = one(page, "script[src*=htmx]")["src"]
    assert src.startswith("/static/vendor/htmx-2.0.11")
    assert client.get(src).status_code == 200


def test_api_docs_are_served_from_our_own_files(client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    page = parse(response)
    for src in [s["src"] for s in page.select("script")] + [
        link["href"] for link in page.select("link[rel=stylesheet]")
    ]:
        assert src.startswith("/static/"), src
        assert client.get(src).status_code == 200
    assert one(page, "#swagger-ui")["data-openapi-url"] == "/openapi.json"
    assert client.get("/openapi.json").json()["info"]["title"] == "Parley"


def test_links_from_the_route_table_match_starlettes_own(app) -> None:
    context = {"request": SimpleNamespace(app=app)}  # the part of Jinja's context it reads
    for name, params in [
        ("statement", {"statement_id": 42}),
        ("home", {}),
        ("matrix", {"negotiation": "russia-ukraine"}),
        ("static", {"path": "css/parley.css"}),
    ]:
        assert path_for(context, name, **params) == app.url_path_for(name, **params)
        assert path_for(context, name, **params) == app.url_path_for(name, **params)
    assert ("statement", frozenset({"statement_id"})) in app.state._path_templates


def test_the_route_table_is_flattened_once_per_app(app, client) -> None:
    """Every request asks which route it is for (app.caching.reader_route): the flattened table
    must be made once, not per request, and again only when routes are added."""
    client.get("/")
    first = declared_routes(app)
    client.get("/")
    assert declared_routes(app) is first
    assert per_app(app, "_get_routes", list) is per_app(app, "_get_routes", list)

    extra = APIRouter()

    @extra.get("/added-later", name="added_later")
    def added_later() -> dict[str, str]:
        return {}

    app.include_router(extra)
    assert "added_later" in [route.name for route in declared_routes(app)]


def test_each_app_has_its_own_jinja_environment(app, settings) -> None:
    other = create_app(settings)
    try:
        assert app.state.templates is not other.state.templates
        # What one app's environment is given (create_app's globals) stays in that app.
        app.state.templates.env.globals["only_here"] = True
        assert "only_here" not in other.state.templates.env.globals
        assert other.state.templates.env.globals["header_account"] is header_account
        # And there is no module-level environment left for create_app to change.
        assert not hasattr(templating, "templates")
    finally:
        other.state.engine.dispose()
