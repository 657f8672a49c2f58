"""Answering with a page: the whole of it, or only the part htmx swaps, from the same URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.responses import Response

from app.caching import VARY


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
        # Absolute links (Open Graph, oEmbed, embed code) start here, never at the Host header.
        "base_url": settings.public_base_url,
        "status_code": status_code,
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
