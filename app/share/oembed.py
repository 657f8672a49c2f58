"""`/oembed?url=…&format=json` (oembed.com): what an article's editor pastes a page's URL into
gets back the embed's `<iframe>`. Pages that can be embedded name it in a discovery `<link>`.

Errors are problem details as for the API (app/api/problems.py counts this path as the API's):
an unsupported format is 501 (the oEmbed spec's answer), a URL that is not one of our
embeddable pages 404, a bad maxwidth, maxheight or as_of 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from app.api.problems import problem
from app.db import DbSession
from app.exceptions import BadRequest, NotFound
from app.links import app_path, declared_routes
from app.negotiations.queries import negotiation_by_slug
from app.share import lookups

router = APIRouter()


@dataclass(frozen=True)
class Kind:
    embed: str  # the embed route's name
    width: int
    height: int


# A page, or an embed itself, and the embed that shows it, with the frame's default size.
EMBEDDABLE = {
    "matrix": Kind("embed_matrix", 800, 640),
    "embed_matrix": Kind("embed_matrix", 800, 640),
    "talks_party": Kind("embed_party", 520, 560),
    "embed_party": Kind("embed_party", 520, 560),
    "demand": Kind("embed_demand", 760, 620),
    "embed_demand": Kind("embed_demand", 760, 620),
    "embed_cell": Kind("embed_cell", 520, 520),
}
MAX_SIZE = 10_000
URL_MAX = 2000


def _size(name: str, raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    # Length first: int() of 5,000 digits is a ValueError of its own (and slow).
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= 5) or not 1 <= int(raw) <= MAX_SIZE:
        raise BadRequest.parameter(
            name, f"{name} must be a whole number of pixels from 1 to {MAX_SIZE:,}."
        )
    return int(raw)


def embed_of(request: Request, url: str) -> tuple[str, Kind, dict[str, str], str]:
    """The embed's path, kind, path parameters and `as_of` for one of our page URLs; NotFound
    for anything else (another site, a page that has no embed)."""
    base = urlsplit(request.app.state.settings.public_base_url)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        raise NotFound(f"{url[:200]} is not a page of {base.netloc}.")
    path = parts.path[len(base.path) :] if base.path else parts.path
    for route in declared_routes(request.app):
        kind = EMBEDDABLE.get(getattr(route, "name", ""))
        match = route.path_regex.match(path) if kind else None
        if kind and match:
            params = match.groupdict()
            as_of = dict(parse_qsl(parts.query)).get("as_of", "")
            return app_path(request.app, kind.embed, **params), kind, params, as_of
    raise NotFound(f"{path[:200]} has no embed: embed a matrix, a party, a demand or a cell.")


def _title(request: Request, session: DbSession, kind: Kind, params: dict[str, str]) -> str:
    """The embed's title, found as the embed itself would find it (a 404 for a party that is
    not there, before the frame is offered)."""
    negotiation = negotiation_by_slug(session, params["negotiation"])
    if negotiation is None:
        raise NotFound(f"There are no talks “{params['negotiation'][:100]}”.")
    if kind.embed == "embed_party":
        party, _ = lookups.talks_party(request, session, negotiation, params["slug"])
        return f"{party.name} in {negotiation.title}"
    if kind.embed == "embed_demand":
        demand = lookups.talks_demand(request, session, negotiation, params["slug"])
        return f"{negotiation.title}: {demand.title}"
    if kind.embed == "embed_cell":
        party, _ = lookups.talks_party(request, session, negotiation, params["party"])
        demand = lookups.talks_demand(request, session, negotiation, params["demand"])
        return f"{party.name} on “{demand.title}”"
    return f"{negotiation.title}: where each side stands"


@router.get("/oembed", name="oembed", include_in_schema=False)
def oembed(
    request: Request,
    session: DbSession,
    url: str | None = Query(None, max_length=URL_MAX),
    format_: str | None = Query(None, alias="format", max_length=10),
    maxwidth: str | None = Query(None, max_length=20),
    maxheight: str | None = Query(None, max_length=20),
) -> Response:
    if format_ not in (None, "", "json"):
        return problem(request, 501, "Only format=json is offered.", [("format", "Use json.")])
    if not url:
        raise BadRequest.parameter("url", "url is required: the address of the page to embed.")
    width, height = _size("maxwidth", maxwidth), _size("maxheight", maxheight)
    path, kind, params, as_of = embed_of(request, url)
    title = _title(request, session, kind, params)
    if as_of:
        lookups.day(as_of)
    base = request.app.state.settings.public_base_url
    src = base + path + (f"?{urlencode({'as_of': as_of})}" if as_of else "")
    w = min(kind.width, width or kind.width)
    h = min(kind.height, height or kind.height)
    html = (
        f'<iframe src="{escape(src)}" width="{w}" height="{h}" title="{escape(title)}" '
        'loading="lazy" referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    )
    return JSONResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": title,
            "provider_name": request.app.state.settings.site_name,
            "provider_url": base + "/",
            "width": w,
            "height": h,
            "html": html,
        }
    )
