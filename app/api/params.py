"""Query parameters shared by the API's endpoints, and the strictness data users rely on.

A misspelt filter (`?partie=russia`) silently ignored would return everything and look right;
so every endpoint refuses names it does not know, and every value is parsed here with a message
naming the parameter (a 400 problem, see app/api/problems.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from app.api.problems import PROBLEM_RESPONSES
from app.dates import EARLIEST, LATEST_QUERY, InvalidDate, parse_iso_date
from app.db import DbSession
from app.exceptions import BadRequest, UnknownFilter, found
from app.field_types import shown, whole_number
from app.ids import MAX_ID
from app.matrix.queries import ordered_demands, ordered_parties
from app.models import Negotiation
from app.negotiations.queries import negotiation_by_slug
from app.paging import InvalidPaging, parse_cursor
from app.sources.queries import source_by_id
from app.stances import OffScale, Stance
from app.timeline.queries import TimelineFilters
from app.timeline.routes import read_filters

# Every date parameter says so in the docs (the about page says it to readers).
DATE_RANGE = f"From {EARLIEST.isoformat()} to {LATEST_QUERY.isoformat()}."
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


def known_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameter names the route and its dependencies declare (by alias).

    Walked per request (a handful of dependants): routes are not hashable, so not cached."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(field.alias for field in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)


def reject_unknown_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = known_parameters(route)
    errors = []
    for name in dict.fromkeys(request.query_params.keys()):
        if name not in known:
            allowed = ", ".join(sorted(known)) or "none"
            errors.append((name, f"Unknown parameter {name!r}; this endpoint takes: {allowed}."))
        elif len(request.query_params.getlist(name)) > 1:
            errors.append((name, f"Give {name} once."))
    if errors:
        raise BadRequest(" ".join(detail for _, detail in errors), errors=errors)


def api_router(tag: str) -> APIRouter:
    """A router for one feature's JSON: strict parameters, problem details documented."""
    return APIRouter(
        tags=[tag],
        dependencies=[Depends(reject_unknown_parameters)],
        responses=PROBLEM_RESPONSES,
    )


# Ids beyond the database's integer range name nothing: a 404, never an overflow (app/ids.py).
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.", examples=[1])]
Slug = Annotated[
    str, Path(description="The record's slug, as in its page's URL.", examples=["russia"])
]


def api_negotiation(
    session: DbSession,
    slug: Annotated[str, Path(description="The negotiation's slug.", examples=["russia-ukraine"])],
) -> Negotiation:
    """The negotiation named in the path; 404 (problem details) when none has the slug."""
    return found(negotiation_by_slug(session, slug), f"There is no negotiation {slug!r}.")


# An endpoint's negotiation, from the `{slug}` of `/api/negotiations/{slug}/…`.
ApiTalks = Annotated[Negotiation, Depends(api_negotiation)]
Limit = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1–{MAX_LIMIT}.", examples=[100]),
]
Cursor = Annotated[
    str | None,
    Query(
        description="Where the page starts: copy it from the previous page's `next` link.",
        examples=["2024-06-01_7"],
    ),
]
AsOf = Annotated[
    str | None,
    Query(
        description=f"A day, YYYY-MM-DD; today when left out. {DATE_RANGE}", examples=["2025-01-31"]
    ),
]


def parse_date(raw: str | None, name: str) -> dt.date | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        return parse_iso_date(raw, field=name)
    except InvalidDate as problem:
        raise BadRequest.parameter(name, str(problem)) from None


def as_of_or_today(raw: str | None, name: str = "as_of") -> dt.date:
    return parse_date(raw, name) or dt.date.today()


def keyset(raw: str | None) -> tuple[dt.date, int] | None:
    try:
        return parse_cursor(raw, field="cursor")
    except InvalidPaging as problem:
        raise BadRequest.parameter("cursor", str(problem)) from None


def id_cursor(raw: str | None) -> int | None:
    """A cursor over ids (sources, revisions): the last id shown."""
    if raw is None or raw.strip() == "":
        return None
    number = whole_number(raw, low=1, high=MAX_ID + 1)
    if number is None:
        raise BadRequest.parameter(
            "cursor",
            f"cursor must be copied from a 'next' link (a whole number), not {shown(raw)}.",
        )
    return number


def parse_stance(raw: str | None) -> Stance | OffScale | None:
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    # Off-scale answers are searchable too (issue 18): declined / ambiguous, or their slugs.
    for off_scale in OffScale:
        if text in (off_scale.value, off_scale.slug):
            return off_scale
    try:
        number = whole_number(text, low=-9, high=9)
        if number is not None:
            return Stance(number)
        return Stance.from_slug(text)
    except ValueError:
        choices = ", ".join(f"{s.slug} ({s.value})" for s in Stance) + ", declined, ambiguous"
        raise BadRequest.parameter(
            "stance", f"stance must be one of {choices}, not {shown(raw)}."
        ) from None


def statement_filters(
    session: Session,
    *,
    negotiation: str | None = None,
    party: str | None,
    demand: str | None,
    stance: str | None,
    start: str | None,
    end: str | None,
    source: str | None,
    include_retracted: bool,
) -> TimelineFilters:
    """The timeline's filters plus the API's own, each bad value named (fixed query count)."""
    errors: list[tuple[str, str]] = []
    for name, raw in (("from", start), ("to", end)):
        try:
            parse_date(raw, name)
        except BadRequest as problem:
            errors.extend(problem.errors)
    chosen_negotiation = None
    demands = ordered_demands(session)
    if negotiation is not None and negotiation.strip() != "":
        chosen_negotiation = negotiation_by_slug(session, negotiation.strip())
        if chosen_negotiation is None:
            errors.append(("negotiation", f"There is no negotiation {shown(negotiation)}."))
        else:
            # Demand slugs are unique within a negotiation: look the demand up in it.
            demands = [d for d in demands if d.negotiation_id == chosen_negotiation.id]
    try:
        base = read_filters(ordered_parties(session), demands, party, demand, None, None)
    except UnknownFilter as problem:
        name = "party" if str(problem).startswith("There is no party") else "demand"
        errors.append((name, str(problem)))
        base = TimelineFilters()
    try:
        chosen_stance = parse_stance(stance)
    except BadRequest as problem:
        errors.extend(problem.errors)
        chosen_stance = None
    chosen_source = None
    if source is not None and source.strip() != "":
        source_id = whole_number(source, low=1, high=MAX_ID)
        if source_id is not None:
            chosen_source = source_by_id(session, source_id)
        if chosen_source is None:
            errors.append(("source", f"There is no source {shown(source)} (give a source id)."))
    if errors:
        raise BadRequest(" ".join(detail for _, detail in errors), errors=errors)
    start_date, end_date = parse_date(start, "from"), parse_date(end, "to")
    if start_date and end_date and start_date > end_date:
        raise BadRequest.parameter("from", "from must be on or before to.")
    return TimelineFilters(
        negotiation=chosen_negotiation,
        party=base.party,
        demand=base.demand,
        start=start_date,
        end=end_date,
        stance=chosen_stance,
        source=chosen_source,
        include_retracted=include_retracted,
    )


def next_link(request: Request, cursor: str | int | None) -> str | None:
    """This request's URL with the cursor moved on: the same filters, the next page."""
    if cursor is None:
        return None
    params: dict[str, Any] = {k: v for k, v in request.query_params.items() if k != "cursor"}
    params["cursor"] = str(cursor)
    return f"{request.url.path}?{urlencode(params)}"
