"""Errors on `/api/` paths as RFC 9457 problem details, never HTML and never internals.

`app/errors.py` asks `is_api` first and hands API requests here; HTML pages keep their pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import Request
from starlette.responses import JSONResponse

from app.api.schemas import Problem, ProblemError

API_PREFIX = "/api/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


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
