"""Links from the route table: a route's name and parameters give its path, so a route that
moves takes every link to it along (pages, charts, the API's records)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.routing import NoMatchFound

# link("party", slug="ukraine") -> "/parties/ukraine": a route's name and its path parameters.
Link = Callable[..., str]
Kept = TypeVar("Kept")


def per_app(app: Any, name: str, make: Callable[[], Kept]) -> Kept:
    """What `make()` gives for this app, made on first use and kept on `app.state` after that.

    Through getattr: Starlette's State keeps its attributes in a dict of its own, so
    `app.state.__dict__` never holds one set on it (that lookup missed every time, and the
    route table was flattened again for every request: 5% of a matrix miss's CPU). Made again
    if routers were included since, so a use during create_app cannot keep a partial table.
    """
    kept = getattr(app.state, name, None)
    if kept is None or kept[0] != len(app.routes):
        kept = (len(app.routes), make())
        setattr(app.state, name, kept)
    value: Kept = kept[1]
    return value


def app_path(app: Any, name: str, /, **params: Any) -> str:
    """`app.url_path_for(name, **params)`, fast.

    Starlette's url_path_for tries every route in turn; a matrix page links hundreds of
    statements, and that search was a quarter of its render time. So each (route, parameter
    names) is resolved once, with numbered stand-ins for the values, and kept as a template.
    """
    # Not per_app: this runs for every link on a page, and a route added later only adds a
    # template (the first use of its name misses), so there is nothing to make again.
    templates_by_route: dict[tuple[str, frozenset[str]], str] | None = getattr(
        app.state, "_path_templates", None
    )
    if templates_by_route is None:
        templates_by_route = app.state._path_templates = {}
    key = (name, frozenset(params))
    template = templates_by_route.get(key)
    if template is None:
        stand_ins = {param: str(_STAND_IN + i) for i, param in enumerate(sorted(params))}
        template = templates_by_route[key] = _declared_path(app, name, stand_ins)
    path = template
    for i, param in enumerate(sorted(params)):
        path = path.replace(str(_STAND_IN + i), str(params[param]))
    return path


def declared_routes(app: Any) -> list[Any]:
    """The app's routes as declared, in matching order, included routers flattened.

    Not FastAPI's `app.url_path_for` or its route contexts: the first use of those in an app
    builds every route's effective context (analysing all its dependencies, about 0.2 s an
    app, paid again by each app a process makes: a test's, for one). Parley includes its routers
    without prefixes, so a declared route's path is the one matched."""
    return per_app(app, "_declared_routes", lambda: list(_flattened(app.routes)))


def _flattened(routes: Any) -> Any:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _flattened(included.routes)
        else:
            yield route


def _declared_path(app: Any, name: str, params: dict[str, str]) -> str:
    for route in declared_routes(app):
        try:
            return str(route.url_path_for(name, **params))
        except NoMatchFound:
            continue
    raise NoMatchFound(name, params)


# Digits no real link contains, which every route convertor we use (int, str, path, digits)
# accepts.
_STAND_IN = 7_310_000_000_000_000_001


def absolute_url(request: Request, name: str, /, **params: Any) -> str:
    """An absolute link, from PARLEY_BASE_URL: never from Host, which the client chooses (and a
    cached feed would pass on to every reader)."""
    base: str = request.app.state.settings.public_base_url
    return base + app_path(request.app, name, **params)


def route_links(request: Request) -> Link:
    """Root-relative links for code outside templates (the API's records, charts)."""

    def link(name: str, /, **params: Any) -> str:
        return app_path(request.app, name, **params)

    return link


Links = Annotated[Link, Depends(route_links)]


def statement_href(request: Request) -> Callable[[int], str]:
    """Links to statement pages, for the charts."""
    link = route_links(request)
    return lambda statement_id: link("statement", statement_id=statement_id)
