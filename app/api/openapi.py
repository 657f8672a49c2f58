"""`/openapi.json` as the API really behaves: errors are problem details, never 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.problems import API_PREFIX


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=(
                    "Read-only JSON for data users. Errors are RFC 9457 problem details; "
                    "unknown query parameters are refused. Lists are keyset-paginated: follow "
                    "`next`. Responses carry an ETag: send it back as If-None-Match for a 304."
                ),
                routes=app.routes,
            )
            for path, operations in document.get("paths", {}).items():
                if path.startswith(API_PREFIX):
                    for operation in operations.values():
                        # FastAPI documents a 422 for every route with parameters; ours answer
                        # a bad parameter with 400 and a bad path id with 404 (app/errors.py).
                        operation.get("responses", {}).pop("422", None)
            app.openapi_schema = document
        return app.openapi_schema

    # FastAPI's documented way to replace its schema: assign the app's openapi method.
    app.openapi = openapi  # type: ignore[method-assign]
