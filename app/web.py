"""Rendering: one Jinja environment, and the rule for answering htmx with a fragment."""

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

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
HTMX_FILE = "vendor/htmx-2.0.11.min.js"

templates = Jinja2Blocks(directory=TEMPLATES_DIR)


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


templates.env.globals["path_for"] = path_for
templates.env.filters["date_at"] = format_date
templates.env.filters["iso_at"] = iso_with_precision
templates.env.filters["stance"] = Stance
templates.env.globals["SCALE"] = SCALE
templates.env.globals["HTMX_FILE"] = HTMX_FILE
# Templates are read once per process (restart to see edits): checking each file's mtime on
# every render costs more than it saves in production.
templates.env.auto_reload = False
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


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
    context = {"today": dt.date.today(), **context}
    fragment = block if block and wants_fragment(request) else None
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


templates.env.filters["pager_query"] = pager_query
