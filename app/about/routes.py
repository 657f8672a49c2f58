"""`/about`: what the data means, in words a reader can check the pages against."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.dates import EARLIEST, LATEST_QUERY, DatePrecision, format_date, iso_with_precision
from app.pages import render

router = APIRouter()


@router.get("/about", name="about")
def about(request: Request) -> Response:
    # The precision rule shown on real values, from the same functions the pages use.
    example = dt.date(2024, 6, 1)
    precisions = [
        (p, format_date(example, p), iso_with_precision(example, p)) for p in DatePrecision
    ]
    return render(
        request,
        "about/index.html",
        {"precisions": precisions, "earliest": EARLIEST, "latest_query": LATEST_QUERY},
    )
