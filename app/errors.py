"""Error pages: a reader who mistypes a URL or a date is told what went wrong, in words."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.web import render


class NotFound(Exception):
    """A record named in the URL does not exist."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found_page(request, "There is no page at this address.")
        return render(
            request,
            "errors/error.html",
            {"status": exc.status_code, "message": exc.detail},
            status_code=exc.status_code,
        )

    @app.exception_handler(NotFound)
    async def missing_record(request: Request, exc: NotFound) -> Response:
        return not_found_page(request, exc.what)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        # A malformed id in the path names no record: that is "not found", not a server error.
        if any(error["loc"][:1] == ("path",) for error in exc.errors()):
            return not_found_page(request, "There is no record with that id.")
        problems = [
            f"{'.'.join(str(p) for p in error['loc'][1:])}: {error['msg']}"
            for error in exc.errors()
        ]
        return render(
            request,
            "errors/error.html",
            {"status": 400, "message": "The request was not understood.", "problems": problems},
            status_code=400,
        )


def install_outage_page(app: FastAPI) -> None:
    """A database that is down or overloaded is a 503 with a retry hint, never a 500."""

    @app.exception_handler(OperationalError)
    @app.exception_handler(SQLAlchemyTimeoutError)
    async def database_unavailable(request: Request, exc: Exception) -> Response:
        response = render(
            request,
            "errors/error.html",
            {
                "status": 503,
                "message": "The database is not answering right now. Nothing was lost: "
                "try again in a few seconds.",
            },
            status_code=503,
        )
        response.headers["Retry-After"] = "5"
        response.headers["Cache-Control"] = "no-store"
        return response


def not_found_page(request: Request, message: str) -> Response:
    return render(request, "errors/404.html", {"message": message}, status_code=404)
