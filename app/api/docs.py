"""`/docs`: the API's interactive documentation, served from our own static files.

FastAPI's built-in page loads Swagger UI from a CDN with an inline script; ours is vendored
(app/static/vendor/swagger-ui-*) and started from a file, so it works offline and under our CSP.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.pages import render

SWAGGER_DIR = "vendor/swagger-ui-5.35.0"

router = APIRouter()


@router.get("/docs", name="api_docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    # Our strict CSP holds here too: Swagger UI styles through the CSSOM, which CSP allows.
    return render(
        request,
        "api/docs.html",
        {"openapi_url": request.app.openapi_url, "SWAGGER_DIR": SWAGGER_DIR},
    )
