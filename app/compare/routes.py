"""`/talks/{negotiation}/compare?parties=a,b[,c…]`: participants of the talks side by side with
the gap, closest first; and `/compare?parties=…` from before negotiations, which moves there."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.compare.queries import comparison
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


class InvalidSelection(ValueError):
    """The parties to compare cannot be used as given."""


def named_slugs(values: list[str]) -> list[str]:
    """The slugs in `parties` (comma-separated, or repeated by a form's checkboxes).

    Linear in what was sent, and the cap comes first: 8,000 names cost a split and a count."""
    slugs = [slug.strip() for value in values for slug in value.split(",") if slug.strip()]
    if len(slugs) > MAX_COMPARED:
        raise InvalidSelection(
            f"Pick at most {MAX_COMPARED} parties to compare ({len(slugs):,} were given): "
            "more do not fit side by side."
        )
    return slugs


def chosen_parties(
    values: list[str], known: list[Party], outsiders: dict[str, Party], talks: str
) -> list[Party]:
    """The parties named in `parties`, each one of `known` (the talks' participants).

    `outsiders` are the named parties that exist but take part elsewhere: "does not take part
    in these talks" says more than "there is no such party"."""
    slugs = named_slugs(values)
    by_slug = {party.slug: party for party in known}
    elsewhere = [outsiders[slug].name for slug in slugs if slug in outsiders]
    if elsewhere:
        names = ", ".join(f"“{name}”" for name in elsewhere)
        verb = "does" if len(elsewhere) == 1 else "do"
        raise InvalidSelection(
            f"{names} {verb} not take part in {talks}. Pick parties from the list below."
        )
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        names = ", ".join(f"“{slug[:64]}”" for slug in unknown)
        raise InvalidSelection(f"There is no party {names}. Pick parties from the list below.")
    repeated = sorted(slug for slug, times in Counter(slugs).items() if times > 1)
    if repeated:
        names = ", ".join(f"“{by_slug[slug].name}”" for slug in repeated)
        raise InvalidSelection(f"{names} is listed more than once: list each party once.")
    if len(slugs) < 2:
        raise InvalidSelection("Pick at least two parties to compare.")
    return [by_slug[slug] for slug in slugs]


def outsiders_of(session: Session, slugs: list[str], known: list[Party]) -> dict[str, Party]:
    """The named parties that exist but are not among `known`: one query, only when some are."""
    taking_part = {party.slug for party in known}
    others = [slug for slug in slugs if slug not in taking_part]
    if not others:
        return {}
    return {p.slug: p for p in session.scalars(select(Party).where(Party.slug.in_(others)))}


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
        slugs = named_slugs(values)
        parties = chosen_parties(
            values, known, outsiders_of(session, slugs, known), negotiation.title
        )
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
