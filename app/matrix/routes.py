"""`/talks/{negotiation}`: a negotiation's matrix of demands × participants as of a date, and
`/`, which lists the negotiations (or, with only one, shows its matrix)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.dates import InvalidDate, parse_iso_date
from app.db import DbSession
from app.matrix.queries import kept_headings, matrix_as_of
from app.models import Negotiation
from app.negotiations.queries import (
    RECENT_DAYS,
    negotiation_states,
    ordered_negotiations,
)
from app.negotiations.scope import Talks, moved_or_ask
from app.pages import render, wants_fragment
from app.plans import plan_as_of
from app.records import RECORDED_HELP, parse_recorded

router = APIRouter()

DATE_LABELS = {"as_of": "As of", "since": "Changes since", "recorded": "As recorded at the end of"}


@router.get("/", name="home")
def home(
    request: Request, session: DbSession, as_of: str | None = None, since: str | None = None
) -> Response:
    """The list of negotiations; with only one, its matrix (its canonical URL is the scoped one).

    `/?as_of=…&since=…` is the matrix's URL from before negotiations: it moves (301) to the
    scoped matrix, or asks which negotiation's when there are several."""
    negotiations = ordered_negotiations(session)
    if as_of is not None or since is not None:
        return moved_or_ask(request, negotiations, "matrix", what="a matrix")
    if len(negotiations) == 1:
        return _matrix_page(request, session, negotiations[0], None, None)
    states = negotiation_states(session, negotiations, dt.date.today())
    return render(
        request, "negotiations/index.html", {"states": states, "recent_days": RECENT_DAYS}
    )


@router.get("/talks/{negotiation}", name="matrix")
def show_matrix(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    as_of: str | None = None,
    since: str | None = None,
    with_: Annotated[
        str | None,
        Query(
            alias="with",
            max_length=100,
            description="A proposal's slug: its latest version as of the date beside the parties.",
        ),
    ] = None,
    recorded: Annotated[str | None, Query(description=RECORDED_HELP)] = None,
) -> Response:
    return _matrix_page(request, session, negotiation, as_of, since, with_, recorded)


def _matrix_page(
    request: Request,
    session: DbSession,
    negotiation: Negotiation,
    as_of: str | None,
    since: str | None,
    plan_slug: str | None = None,
    recorded: str | None = None,
) -> Response:
    form = {
        "as_of": as_of or "",
        "since": since or "",
        "with": plan_slug or "",
        "recorded": recorded or "",
    }
    field = "recorded"
    try:
        # What the tracker showed that day was that day's positions: as_of defaults to it.
        recorded_day = parse_recorded(recorded)
        field = "as_of"
        default_day = recorded_day or dt.date.today()
        as_of_date = parse_iso_date(as_of, field="as_of") if as_of else default_day
        field = "since"
        since_date = parse_iso_date(since, field="since") if since else None
        if since_date and since_date > as_of_date:
            raise InvalidDate("since must be on or before the as_of date it is compared with.")
    except InvalidDate as problem:
        # The page's message names the URL parameter; beside the field its label says which.
        named = str(problem)
        beside = named.removeprefix(f"{field}: ").removeprefix(f"{field} ")
        errors = {field: beside[:1].upper() + beside[1:]}
        if wants_fragment(request) and field != "recorded":
            # The form asked (htmx): the message goes beside its field and the matrix on screen
            # stays as it was, rather than being replaced by an error.
            return render(
                request,
                "matrix/index.html",
                {"negotiation": negotiation, "form": form, "errors": errors, "labels": DATE_LABELS},
                block="date_form",
                status_code=400,
                headers={
                    "HX-Retarget": "#date-form",
                    "HX-Reswap": "outerHTML",
                    "HX-Push-Url": "false",
                },
            )
        return render(
            request,
            "matrix/index.html",
            {
                "negotiation": negotiation,
                "form": form,
                "errors": errors,
                "labels": DATE_LABELS,
                "error": named,
                "matrix": None,
            },
            block="matrix",
            status_code=400,
        )
    headings = kept_headings(request, session, negotiation.id)
    matrix = matrix_as_of(
        session, negotiation.id, as_of_date, since_date, recorded_day, headings=headings
    )
    # Two queries more with a plan, whatever its number of points; none without.
    plan = plan_as_of(session, negotiation.id, plan_slug, as_of_date) if plan_slug else None
    return render(
        request,
        "matrix/index.html",
        {
            "negotiation": negotiation,
            "form": form,
            "errors": {},
            "labels": DATE_LABELS,
            "error": None,
            "matrix": matrix,
            "plan": plan,
        },
        block="matrix",
    )
