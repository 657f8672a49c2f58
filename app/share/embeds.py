"""Embeds (issue 20, item 4): `/embed/…` pages that other sites may frame: a negotiation's
matrix, a party card, a demand chart and a cell (party × demand).

The only routes with `frame-ancestors *` (app/security.py decides by the `/embed/` prefix);
every other page stays unframable. They set no cookie, need no script (the page has none), and
each carries its date, its number of sources and a link back to the full page. Reader routes:
cached by data version like the pages they show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import DbSession
from app.links import absolute_url
from app.matrix.queries import kept_headings, matrix_as_of
from app.negotiations.scope import Talks
from app.pages import render
from app.share import lookups
from app.share.cards import sources_of
from app.share.lookups import DemandSlug, PartySlug

router = APIRouter()


def _embed(
    request: Request, name: str, context: dict[str, Any], as_of: dt.date, back: str
) -> Response:
    return render(
        request,
        f"embed/{name}.html",
        {
            **context,
            "as_of": as_of,
            "back": back,
            "base_url": request.app.state.settings.public_base_url,
        },
    )


def _with_day(url: str, as_of: str | None) -> str:
    return f"{url}?as_of={as_of.strip()}" if as_of and as_of.strip() else url


@router.get("/embed/talks/{negotiation}", name="embed_matrix")
def embed_matrix(
    request: Request, session: DbSession, negotiation: Talks, as_of: str | None = None
) -> Response:
    day = lookups.day(as_of)
    headings = kept_headings(request, session, negotiation.id)
    matrix = matrix_as_of(session, negotiation.id, day, headings=headings)
    back = _with_day(absolute_url(request, "matrix", negotiation=negotiation.slug), as_of)
    sources = sources_of(
        session, (c.statement.id for row in matrix.rows for c in row.cells if c.statement)
    )
    return _embed(
        request,
        "matrix",
        {"negotiation": negotiation, "matrix": matrix, "sources": sources},
        day,
        back,
    )


@router.get("/embed/talks/{negotiation}/parties/{slug}", name="embed_party")
def embed_party(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: PartySlug,
    as_of: str | None = None,
) -> Response:
    day = lookups.day(as_of)
    page, back = lookups.party_in_talks(request, session, negotiation, slug, day)
    back = _with_day(back, as_of)
    sources = len({p.statement.source_id for p in page.stated if p.statement})
    return _embed(
        request, "party", {"negotiation": negotiation, "page": page, "sources": sources}, day, back
    )


@router.get("/embed/talks/{negotiation}/demands/{slug}", name="embed_demand")
def embed_demand(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: DemandSlug,
    as_of: str | None = None,
) -> Response:
    day = lookups.day(as_of)
    page, back = lookups.demand(request, session, negotiation, slug, day)
    back = _with_day(back, as_of)
    sources = len({e.statement.source_id for line in page.lines for e in line.history})
    return _embed(
        request, "demand", {"negotiation": negotiation, "page": page, "sources": sources}, day, back
    )


@router.get("/embed/talks/{negotiation}/cells/{party}/{demand}", name="embed_cell")
def embed_cell(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    party: PartySlug,
    demand: DemandSlug,
    as_of: str | None = None,
) -> Response:
    day = lookups.day(as_of)
    page, back = lookups.cell(request, session, negotiation, party, demand, day)
    back = _with_day(back, as_of)
    sources = len({e.statement.source_id for e in page.history})
    return _embed(
        request, "cell", {"negotiation": negotiation, "page": page, "sources": sources}, day, back
    )
