"""The negotiation a scoped URL names: `/talks/{negotiation}/…`, and what old, unscoped URLs
answer now that an instance holds several negotiations.

Articles link to URLs made when Parley followed one negotiation (`/?as_of=…`, `/demands/{slug}`,
`/compare?parties=…`, `/timeline`…). Each keeps working: a 301 to its scoped URL, query kept,
when one negotiation fits; otherwise a 300 page naming the negotiations it could mean, each a
link to the same view there. Neither is a 200, so no cache keeps them (app/caching.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Path, Request
from starlette.responses import RedirectResponse, Response

from app.db import DbSession
from app.exceptions import Choice, NotFound
from app.links import app_path
from app.models import Negotiation
from app.negotiations.queries import negotiation_by_slug, ordered_negotiations
from app.pages import render


def scoped_negotiation(
    request: Request,
    session: DbSession,
    negotiation: Annotated[str, Path(description="The negotiation's slug.", max_length=100)],
) -> Negotiation:
    found = negotiation_by_slug(session, negotiation)
    if found is None:
        raise NotFound(
            f"There are no talks “{negotiation}”.",
            choices=[
                Choice(n.title, app_path(request.app, "matrix", negotiation=n.slug))
                for n in ordered_negotiations(session)
            ],
        )
    return found


# A route's negotiation, from the `{negotiation}` segment of its path (404 when none has it).
Talks = Annotated[Negotiation, Depends(scoped_negotiation)]


def _with_query(request: Request, path: str) -> str:
    query = urlencode(request.query_params.multi_items())
    return f"{path}?{query}" if query else path


def moved(request: Request, route: str, **path_params: str) -> RedirectResponse:
    """301 to the scoped URL of the view an old URL showed, with its query."""
    path = app_path(request.app, route, **path_params)
    return RedirectResponse(_with_query(request, path), status_code=301)


def moved_or_ask(
    request: Request,
    candidates: Sequence[Negotiation],
    route: str,
    path_params: Callable[[Negotiation], dict[str, str]] = lambda n: {"negotiation": n.slug},
    *,
    what: str,
) -> Response:
    """The old URL's answer: 301 when exactly one negotiation fits, else the 300 page naming
    each that does (none: a 404 listing every negotiation).

    `what` says what the old URL showed ("the matrix", "the demand “…”"), for the page."""
    if len(candidates) == 1:
        return moved(request, route, **path_params(candidates[0]))
    if not candidates:
        raise NotFound(f"No negotiation has {what}.")
    choices = [
        Choice(n.title, _with_query(request, app_path(request.app, route, **path_params(n))))
        for n in candidates
    ]
    return render(
        request,
        "negotiations/which.html",
        {"what": what, "choices": choices},
        status_code=300,
    )
