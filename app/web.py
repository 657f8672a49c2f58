"""Rendering: the app's Jinja environment, and the rule for answering htmx with a fragment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.responses import Response

from app.caching import VARY
from app.dates import format_date, iso_with_precision
from app.stances import SCALE, Stance

# Package data: they ship inside the wheel, so an installed Parley runs from any directory.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
HTMX_FILE = "vendor/htmx-2.0.11.min.js"


@pass_context
def path_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """A root-relative link: unlike url_for, it never bakes the request's Host into cached pages."""
    return app_path(context["request"].app, name, **params)


def app_path(app: Any, name: str, /, **params: Any) -> str:
    """`app.url_path_for(name, **params)`, fast.

    Starlette's url_path_for tries every route in turn; a matrix page links hundreds of
    statements, and that search was a quarter of its render time. So each (route, parameter
    names) is resolved once, with numbered stand-ins for the values, and kept as a template.
    """
    templates_by_route: dict[tuple[str, frozenset[str]], str] = app.state.__dict__.setdefault(
        "_path_templates", {}
    )
    key = (name, frozenset(params))
    template = templates_by_route.get(key)
    if template is None:
        stand_ins = {param: str(_STAND_IN + i) for i, param in enumerate(sorted(params))}
        template = templates_by_route[key] = str(app.url_path_for(name, **stand_ins))
    path = template
    for i, param in enumerate(sorted(params)):
        path = path.replace(str(_STAND_IN + i), str(params[param]))
    return path


def absolute_url(request: Request, name: str, /, **params: Any) -> str:
    """An absolute link, from PARLEY_BASE_URL: never from Host, which the client chooses (and a
    cached feed would pass on to every reader)."""
    base: str = request.app.state.settings.public_base_url
    return base + app_path(request.app, name, **params)


# Digits no real link contains, which every route convertor we use (int, str, path) accepts.
_STAND_IN = 7_310_000_000_000_000_001


def wants_fragment(request: Request) -> bool:
    """An htmx request swaps a part of the page; a history restore needs the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The page, or only `block` of it when htmx asks; the same URL serves both."""
    settings = request.app.state.settings
    context = {
        "today": dt.date.today(),
        "site_name": settings.site_name,
        "site_description": settings.site_description,
        **context,
    }
    fragment = block if block and wants_fragment(request) else None
    templates: Jinja2Blocks = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, name, context, status_code=status_code, block_name=fragment
    )
    response.headers.update(headers or {})
    if block:
        # The same list as the render cache's key (app/caching.py), whoever answers.
        response.headers["Vary"] = VARY
    return response


def statement_href(request: Request) -> Callable[[int], str]:
    """Links to statement pages for code outside templates (charts), root-relative like path_for."""

    def href(statement_id: int) -> str:
        return app_path(request.app, "statement", statement_id=statement_id)

    return href


def pager_query(params: dict[str, Any], **changes: Any) -> str:
    """The query string of this view with some parameters changed; empty ones are left out."""
    merged = {**params, **changes}
    # Empty filters and page 1 are the defaults: leaving them out keeps one URL per view.
    kept = {k: v for k, v in merged.items() if v not in (None, "") and not (k == "page" and v == 1)}
    return urlencode(kept)


def make_templates(**app_globals: Any) -> Jinja2Blocks:
    """One app's Jinja environment: create_app makes it and keeps it in `app.state.templates`.

    `app_globals` are what the templates need from the features above this module (the
    header's account, the matrix's kept cells), handed down by create_app.
    """
    templates = Jinja2Blocks(directory=TEMPLATES_DIR)
    env = templates.env
    env.globals.update(path_for=path_for, SCALE=SCALE, HTMX_FILE=HTMX_FILE, **app_globals)
    env.filters.update(
        date_at=format_date, iso_at=iso_with_precision, stance=Stance, pager_query=pager_query
    )
    # Templates are read once per process (restart to see edits): checking each file's mtime on
    # every render costs more than it saves in production.
    env.auto_reload = False
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates
