"""`/compare?parties=a,b[,c…]`: parties side by side with the gap, closest first."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.compare.queries import comparison
from app.dates import InvalidDate, date_or_today
from app.db import DbSession
from app.links import statement_href
from app.matrix.queries import ordered_parties
from app.models import Party
from app.pages import render
from app.stances import MAX_COMPARED

router = APIRouter()


class InvalidSelection(ValueError):
    """The parties to compare cannot be used as given."""


def chosen_parties(values: list[str], known: list[Party]) -> list[Party]:
    """The parties named in `parties` (comma-separated, or repeated by a form's checkboxes).

    Linear in what was sent, and the cap comes first: 8,000 names cost a split and a count."""
    slugs = [slug.strip() for value in values for slug in value.split(",") if slug.strip()]
    if len(slugs) > MAX_COMPARED:
        raise InvalidSelection(
            f"Pick at most {MAX_COMPARED} parties to compare ({len(slugs):,} were given): "
            "more do not fit side by side."
        )
    by_slug = {party.slug: party for party in known}
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        names = ", ".join(f"“{slug}”" for slug in unknown)
        raise InvalidSelection(f"There is no party {names}. Pick parties from the list below.")
    repeated = sorted(slug for slug, times in Counter(slugs).items() if times > 1)
    if repeated:
        names = ", ".join(f"“{by_slug[slug].name}”" for slug in repeated)
        raise InvalidSelection(f"{names} is listed more than once: list each party once.")
    if len(slugs) < 2:
        raise InvalidSelection("Pick at least two parties to compare.")
    return [by_slug[slug] for slug in slugs]


@router.get("/compare", name="compare")
def compare(request: Request, session: DbSession, as_of: str | None = None) -> Response:
    known = ordered_parties(session)
    values = request.query_params.getlist("parties")
    context: dict[str, object] = {
        "known": known,
        "form": {"as_of": as_of or "", "parties": values},
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
        parties = chosen_parties(values, known)
        as_of_date = date_or_today(as_of)
    except (InvalidSelection, InvalidDate) as problem:
        context["error"] = str(problem)
        return render(request, "compare/index.html", context, block="content", status_code=400)
    context["comparison"] = comparison(session, parties, as_of_date, statement_href(request))
    return render(request, "compare/index.html", context, block="content")
