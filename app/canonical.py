"""One URL per reader view, so the render cache holds views, not spellings of them.

Every distinct URL is a distinct render-cache entry: were `?x=1`, `?x=2`… or `/statements/01`
answered 200, anyone could push the useful pages out of the cache with junk. So reader routes
refuse query parameters they do not take (400 naming them: a misspelt `as_off=` silently
ignored would show today's matrix and look right), and redirect (308) spellings of a view to
its canonical URL: empty parameters (`since=`, what a form sends for an empty field) dropped,
ids without leading zeros. None of these answers is a 200, so none is ever stored.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import RedirectResponse

from app.api.params import known_parameters
from app.api.problems import is_api
from app.caching import READER_ROUTES
from app.exceptions import BadRequest, Refusal

# Parameters a route reads from request.query_params itself (a repeated list), by route name.
READ_BY_HAND = {"compare": frozenset({"parties"}), "old_compare": frozenset({"parties"})}
# Parameters every page takes, read by the base template, with the one value each may hold:
# `saved=1` is where an editor lands after a save (the "Saved." notice; readers see nothing).
EVERY_PAGE = {"saved": "1"}
# Empty values that are an answer of their own, not a spelling of "no value": an empty search
# gets "Type one or more words", not the bare search box.
EMPTY_MEANS_SOMETHING = {"search": frozenset({"q"})}


def _canonical_path_params(route: APIRoute, raw: dict[str, str]) -> dict[str, str]:
    """Ids as their digits without leading zeros; FastAPI itself reads `01` as 1."""
    params = dict(raw)
    for field in route.dependant.path_params:
        value = params.get(field.alias)
        if field.field_info.annotation is int and value and value.isascii() and value.isdigit():
            params[field.alias] = value.lstrip("0") or "0"
    return params


async def canonical_reader_url(request: Request) -> None:
    """An app-wide dependency: acts only on the GETs of reader routes.

    async: no I/O, so FastAPI runs it on the event loop rather than in a threadpool hop."""
    route = request.scope.get("route")
    if request.method != "GET" or not isinstance(route, APIRoute):
        return
    if route.name not in READER_ROUTES:
        return
    canonical_params = _canonical_path_params(route, request.path_params)
    moved = canonical_params != request.path_params
    query = request.query_params.multi_items()
    if not is_api(request):  # the API refuses unknown and repeated names on its own
        known = (
            known_parameters(route) | READ_BY_HAND.get(route.name, frozenset()) | set(EVERY_PAGE)
        )
        repeatable = READ_BY_HAND.get(route.name, frozenset())
        errors = []
        for name in dict.fromkeys(name for name, _ in query):
            if name not in known:
                allowed = ", ".join(sorted(known)) or "none"
                errors.append((name, f"This page has no parameter {name!r}; it takes: {allowed}."))
            elif name not in repeatable and len(request.query_params.getlist(name)) > 1:
                errors.append((name, f"Give {name} once."))
            elif name in EVERY_PAGE and request.query_params[name] not in ("", EVERY_PAGE[name]):
                errors.append((name, f"{name} can only be {EVERY_PAGE[name]!r}."))
        if errors:
            raise BadRequest(" ".join(detail for _, detail in errors), errors=errors)
        keep = EMPTY_MEANS_SOMETHING.get(route.name, frozenset())
        query = [(name, value) for name, value in query if value != "" or name in keep]
    if moved or len(query) != len(request.query_params.multi_items()):
        path = quote(route.url_path_for(route.name, **canonical_params)) if moved else None
        location = (
            path or request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        ) + (f"?{urlencode(query)}" if query else "")
        raise Refusal(RedirectResponse(location, status_code=308))
