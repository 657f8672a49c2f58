"""`/`: the matrix of demands × parties as of a date."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dates import InvalidDate, parse_iso_date
from app.db import DbSession
from app.matrix.queries import matrix_as_of
from app.web import render

router = APIRouter()


@router.get("/", name="matrix")
def show_matrix(
    request: Request, session: DbSession, as_of: str | None = None, since: str | None = None
) -> Response:
    form = {"as_of": as_of or "", "since": since or ""}
    try:
        as_of_date = parse_iso_date(as_of, field="as_of") if as_of else dt.date.today()
        since_date = parse_iso_date(since, field="since") if since else None
        if since_date and since_date > as_of_date:
            raise InvalidDate("since must be on or before the as_of date it is compared with.")
    except InvalidDate as problem:
        return render(
            request,
            "matrix/index.html",
            {"form": form, "error": str(problem), "matrix": None},
            block="matrix",
            status_code=400,
        )
    matrix = matrix_as_of(session, as_of_date, since_date)
    return render(
        request,
        "matrix/index.html",
        {"form": form, "error": None, "matrix": matrix},
        block="matrix",
    )
