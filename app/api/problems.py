"""Errors on `/api/` paths as RFC 9457 problem details, never HTML and never internals.

`app/errors.py` asks `is_api` first and hands API requests here; HTML pages keep their pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.api.schemas import (
    MultipleChoices,
    NegotiationChoice,
    NegotiationRef,
    Problem,
    ProblemError,
)
from app.links import app_path
from app.models import Negotiation

API_PREFIX = "/api/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


# oEmbed's endpoint (app/share/oembed.py) is read by programs, like the API: its errors too.
OEMBED_PATH = "/oembed"


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == OEMBED_PATH


def problem(
    request: Request,
    status: int,
    detail: str,
    errors: Sequence[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=[ProblemError(name=name, detail=text) for name, text in errors],
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        # Errors are not shared: a fixed URL would otherwise cache a transient 503 or 404.
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def moved_or_choose(
    request: Request,
    negotiations: Sequence[Negotiation],
    route: str,
    *,
    none: str = "No negotiations have been entered yet.",
    **path_params: str,
) -> Response:
    """An endpoint from before negotiations: 301 to `route` of the only negotiation, query kept;
    with several, a 300 in the API's error format listing each one's URL for the same request
    (a client cannot guess which was meant, and answering for the first would be wrong data).

    `path_params`: the route's parameters besides the negotiation's `slug`; `none`: the 404's
    detail when no negotiation fits."""
    # Commas kept as typed: `parties=russia,ukraine` stays readable in the Location.
    query = urlencode(request.query_params.multi_items(), safe=",")

    def url(negotiation: Negotiation) -> str:
        path = app_path(request.app, route, slug=negotiation.slug, **path_params)
        return f"{path}?{query}" if query else path

    if len(negotiations) == 1:
        return RedirectResponse(url(negotiations[0]), status_code=301)
    if not negotiations:
        return problem(request, 404, none)
    link = lambda name, **params: app_path(request.app, name, **params)  # noqa: E731
    body = MultipleChoices(
        type="about:blank",
        title=HTTPStatus.MULTIPLE_CHOICES.phrase,
        status=300,
        detail="This instance follows several negotiations: ask one of them, at its own URL.",
        instance=request.url.path,
        choices=[
            NegotiationChoice(negotiation=NegotiationRef.of(n, link), url=url(n))
            for n in negotiations
        ],
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=300,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store"},
    )


def validation_errors(errors: Sequence[Any]) -> list[tuple[str, str]]:
    """FastAPI's validation errors, reduced to the parameter name and the message.

    The input, the context and pydantic's documentation URL stay out: they can echo internals.
    """
    named = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        name = location[-1] if len(location) > 1 else ".".join(location) or "request"
        named.append((name, f"{name}: {error.get('msg', 'invalid value')}."))
    return named


# For `responses=` of an endpoint from before negotiations.
MOVED_RESPONSES: dict[int | str, dict[str, Any]] = {
    301: {"description": "The only negotiation's endpoint (`Location`), query kept."},
    300: {
        "model": MultipleChoices,
        "description": "Several negotiations: `choices` gives each one's URL, query kept.",
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/MultipleChoices"}}
        },
    },
}

# For `responses=` on every API route: what /openapi.json says errors look like.
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "A bad or unknown query parameter; `errors` names each.",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
    },
    404: {
        "model": Problem,
        "description": "No such record or path.",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
    },
}
