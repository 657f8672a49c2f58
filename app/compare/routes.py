"""`/talks/{negotiation}/compare?parties=a,b[,c…]`: participants of the talks side by side with
the gap, closest first; and `/compare?parties=…` from before negotiations, which moves there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.compare.queries import comparison
from app.compare.selection import InvalidSelection, compared_parties, named_slugs
from app.dates import InvalidDate, date_or_today
from app.db import DbSession
from app.exceptions import BadRequest
from app.links import statement_href
from app.models import Negotiation, Participation, Party
from app.negotiations.queries import ordered_negotiations, participants
from app.negotiations.scope import Talks, moved_or_ask
from app.pages import render
from app.plans import plan_as_of
from app.records import RECORDED_HELP, parse_recorded
from app.stances import MAX_COMPARED

router = APIRouter()


@router.get("/talks/{negotiation}/compare", name="compare")
def compare(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    as_of: str | None = None,
    recorded: Annotated[str | None, Query(description=RECORDED_HELP)] = None,
    with_: Annotated[
        str | None,
        Query(
            alias="with",
            max_length=100,
            description="A proposal's slug: its latest version as of the date beside the "
            "parties, with each party's gap to it.",
        ),
    ] = None,
) -> Response:
    known = [p.party for p in participants(session, [negotiation.id])[negotiation.id]]
    values = request.query_params.getlist("parties")
    context: dict[str, object] = {
        "negotiation": negotiation,
        "known": known,
        "form": {
            "as_of": as_of or "",
            "parties": values,
            "recorded": recorded or "",
            "with": with_ or "",
        },
        "recorded": None,
        "plan": None,
        # A set: the template asks "is this party chosen?" once per party listed.
        "chosen": {slug.strip() for value in values for slug in value.split(",")},
        "max_compared": MAX_COMPARED,
        "error": None,
        "comparison": None,
    }
    if not values:
        # No choice yet: the picker alone, a page in its own right.
        return render(request, "compare/index.html", context, block="content")
    try:
        parties = compared_parties(session, negotiation, values, known)
        recorded_day = parse_recorded(recorded)
        context["recorded"] = recorded_day
        as_of_date = recorded_day if recorded_day and not as_of else date_or_today(as_of)
    except (InvalidSelection, InvalidDate) as problem:
        context["error"] = str(problem)
        return render(request, "compare/index.html", context, block="content", status_code=400)
    # The plan as the matrix and demand pages show it (app/plans.py): two queries more.
    context["plan"] = plan_as_of(session, negotiation.id, with_, as_of_date) if with_ else None
    context["comparison"] = comparison(
        session, negotiation.id, parties, as_of_date, statement_href(request), recorded_day
    )
    return render(request, "compare/index.html", context, block="content")


def negotiations_of_all(session: Session, slugs: list[str]) -> list[Negotiation]:
    """The negotiations in which every one of these parties takes part."""
    wanted = set(slugs)
    return list(
        session.scalars(
            select(Negotiation)
            .join(Participation, Participation.negotiation_id == Negotiation.id)
            .join(Party, Party.id == Participation.party_id)
            .where(Party.slug.in_(wanted))
            .group_by(Negotiation.id)
            .having(func.count(Party.id) == len(wanted))
            .order_by(Negotiation.display_order, Negotiation.id)
        )
    )


@router.get("/compare", name="old_compare")
def old_compare(request: Request, session: DbSession, as_of: str | None = None) -> Response:
    """Where `/compare?parties=a,b` went: the talks in which all the named parties take part."""
    del as_of  # kept in the query it moves with
    try:
        slugs = named_slugs(request.query_params.getlist("parties"))
    except InvalidSelection as problem:
        raise BadRequest(str(problem)) from problem
    if not slugs:
        return moved_or_ask(request, ordered_negotiations(session), "compare", what="a comparison")
    candidates = negotiations_of_all(session, slugs)
    if not candidates:
        # No talks have them all (a typo, or parties of different talks): the scoped page says
        # which one does not take part, in the talks the reader picks.
        return moved_or_ask(request, ordered_negotiations(session), "compare", what="a comparison")
    names = ", ".join(f"“{slug[:64]}”" for slug in dict.fromkeys(slugs))
    return moved_or_ask(request, candidates, "compare", what=f"all of {names} taking part")
