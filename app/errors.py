"""Error pages: a reader who mistypes a URL or a date is told what went wrong, in words."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response

from app.api import problems
from app.auth.refused_forms import refused_form_page
from app.exceptions import BadRequest, Choice, NotFound, Refusal
from app.pages import render
from app.posted_forms import posted_form

_BARE_500 = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Something went wrong</title>'
    '<h1>Something went wrong</h1><p>{message}</p><p><a href="/">Go to the front page</a></p>'
)


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if problems.is_api(request):
            detail = "There is nothing at this address." if exc.status_code == 404 else exc.detail
            return problems.problem(request, exc.status_code, str(detail), headers=exc.headers)
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
        if problems.is_api(request):
            return problems.problem(request, 404, exc.what)
        return not_found_page(request, exc.what, choices=exc.choices, index=exc.index)

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        if problems.is_api(request):
            return problems.problem(request, 400, exc.reason, exc.errors)
        return render(
            request,
            "errors/error.html",
            {"status": 400, "message": exc.reason},
            status_code=400,
        )

    # Starlette calls this one from its ServerErrorMiddleware, outside all our middleware but
    # the security headers (app/main.py), and logs the exception itself afterwards.
    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        message = "Something went wrong on our side. It has been logged; please try again later."
        if problems.is_api(request):
            return problems.problem(request, 500, message)
        try:
            response = render(
                request,
                "errors/error.html",
                {"status": 500, "title": "Something went wrong", "message": message},
                status_code=500,
            )
        except Exception:  # the page itself failed (templates, the session): a bare one then
            response = HTMLResponse(_BARE_500.format(message=message), status_code=500)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> Response:
        return exc.response

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        # A malformed id in the path names no record: that is "not found", not a server error.
        in_path = any(error["loc"][:1] == ("path",) for error in exc.errors())
        if problems.is_api(request):
            # Never 422 with pydantic's internals: a 404 for the path, else 400 per parameter.
            if in_path:
                return problems.problem(request, 404, "There is no record with that id.")
            named = problems.validation_errors(exc.errors())
            return problems.problem(request, 400, " ".join(detail for _, detail in named), named)
        if in_path:
            return not_found_page(request, "There is no record with that id.")
        listed = [
            f"{'.'.join(str(p) for p in error['loc'][1:])}: {error['msg']}"
            for error in exc.errors()
        ]
        return render(
            request,
            "errors/error.html",
            {"status": 400, "message": "The request was not understood.", "problems": listed},
            status_code=400,
        )


def install_outage_page(app: FastAPI) -> None:
    """A database that is down or overloaded is a 503 with a retry hint, never a 500."""

    @app.exception_handler(OperationalError)
    @app.exception_handler(SQLAlchemyTimeoutError)
    async def database_unavailable(request: Request, exc: Exception) -> Response:
        # The request's session broke with its connection: nothing the outage page shows (the
        # header's review count, editor links) may read with it.
        request.state.db_session = None
        if problems.is_api(request):
            return problems.problem(
                request,
                503,
                "The database is not answering right now; try again in a few seconds.",
                headers={"Retry-After": "5"},
            )
        typed = getattr(request.state, "posted_form", None)
        if typed is None and request.method == "POST":
            # The database failed before the form was read (opening the session, finding the
            # editor): read it now, so that the editor's text is still not lost.
            typed = await _form_if_readable(request)
        if typed is not None:
            response = _unsaved_form_page(request, typed)
        else:
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


async def _form_if_readable(request: Request) -> dict[str, str] | None:
    try:
        return await posted_form(request)
    except Exception:  # too large, not a form, body already gone: the plain 503 page then
        return None


def _unsaved_form_page(request: Request, form: dict[str, str]) -> Response:
    """A save the database could not take: the editor's text again, ready to send once more.

    The write was one transaction, so either all of it was stored or none. Mostly none; but when
    the connection broke during the COMMIT itself, the database may have stored it and lost only
    its answer, and the page says so. Sending again is safe either way: edits carry their
    version, new statements their submission key, so nothing is stored twice.
    """
    if getattr(request.state, "commit_unconfirmed", False):
        title = "Perhaps not saved: the database stopped answering"
        message = (
            "The database stopped answering while your save was being stored, so it may or may "
            "not have been. Your text is below: send it again in a few seconds; it will not be "
            "stored twice."
        )
    else:
        title = "Not saved: the database is not answering"
        message = "Nothing was saved. Your text is below: send it again in a few seconds."
    return refused_form_page(request, form, status=503, title=title, message=message)


def not_found_page(
    request: Request,
    message: str,
    *,
    choices: Sequence[Choice] = (),
    index: Choice | None = None,
) -> Response:
    return render(
        request,
        "errors/404.html",
        {"message": message, "choices": choices, "index": index},
        status_code=404,
    )
