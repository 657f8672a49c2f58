"""`/timeline` and `/timeline.atom`: the newest statements across parties, with the same filters."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.dates import InvalidDate, parse_iso_date
from app.db import DbSession
from app.exceptions import BadRequest, UnknownFilter
from app.links import absolute_url
from app.matrix.queries import ordered_demands, ordered_parties
from app.models import Demand, Party
from app.pages import render
from app.paging import InvalidPaging, parse_cursor
from app.timeline.feed import TAG_AUTHORITY, atom_feed
from app.timeline.queries import ORDERS, TimelineFilters, timeline_page

router = APIRouter()

FEED_SIZE = 50


def read_filters(
    parties: list[Party],
    demands: list[Demand],
    party: str | None,
    demand: str | None,
    start: str | None,
    end: str | None,
    order: str | None = None,
) -> TimelineFilters:
    by_party = {p.slug: p for p in parties}
    by_demand = {d.slug: d for d in demands}
    if party and party not in by_party:
        raise UnknownFilter(f"There is no party {party!r}.")
    if demand and demand not in by_demand:
        raise UnknownFilter(f"There is no demand {demand!r}.")
    start_date = parse_iso_date(start, field="from") if start else None
    end_date = parse_iso_date(end, field="to") if end else None
    if start_date and end_date and start_date > end_date:
        raise InvalidDate("from must be on or before to.")
    if order and order not in ORDERS:
        raise UnknownFilter(f"order must be {' or '.join(ORDERS)}, not {order!r}.")
    return TimelineFilters(
        party=by_party[party] if party else None,
        demand=by_demand[demand] if demand else None,
        start=start_date,
        end=end_date,
        order=order or "stated",
    )


@router.get("/timeline", name="timeline")
def timeline(
    request: Request,
    session: DbSession,
    party: str | None = None,
    demand: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    before: str | None = None,
    order: str | None = None,
) -> Response:
    parties, demands = ordered_parties(session), ordered_demands(session)
    form = {
        "party": party or "",
        "demand": demand or "",
        "from": start or "",
        "to": end or "",
        "order": order or "stated",
    }
    context: dict[str, object] = {
        "parties": parties,
        "demands": demands,
        "form": form,
        "error": None,
        "page": None,
        "filters": None,
    }
    try:
        filters = read_filters(parties, demands, party, demand, start, end, order)
        cursor = parse_cursor(before)
    except (UnknownFilter, InvalidDate, InvalidPaging) as problem:
        context["error"] = str(problem)
        return render(request, "timeline/index.html", context, block="content", status_code=400)
    context["filters"] = filters
    context["page"] = timeline_page(session, filters, cursor)
    return render(request, "timeline/index.html", context, block="content")


@router.get("/timeline.atom", name="timeline_feed")
def timeline_feed(
    request: Request,
    session: DbSession,
    party: str | None = None,
    demand: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    order: str | None = None,
) -> Response:
    filters = _feed_filters(session, party, demand, start, end, order)
    page = timeline_page(session, filters, size=FEED_SIZE)
    site_name = request.app.state.settings.site_name
    query = request.url.query
    described = [
        f"{label} {value}"
        for label, value in [
            ("by", filters.party.name if filters.party else None),
            ("on", filters.demand.title if filters.demand else None),
            ("from", filters.start.isoformat() if filters.start else None),
            ("to", filters.end.isoformat() if filters.end else None),
            ("newest", "entered" if filters.order == "entered" else None),
        ]
        if value
    ]
    body = atom_feed(
        page.statements,
        title=f"{site_name}: new statements" + (f" ({', '.join(described)})" if described else ""),
        # The feed's id is its canonical filter set: the same filters, the same feed.
        feed_id=_feed_id(filters),
        self_url=absolute_url(request, "timeline_feed") + (f"?{query}" if query else ""),
        html_url=absolute_url(request, "timeline") + (f"?{query}" if query else ""),
        statement_url=lambda sid: absolute_url(request, "statement", statement_id=sid),
        site_name=site_name,
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _feed_filters(
    session: Session,
    party: str | None,
    demand: str | None,
    start: str | None,
    end: str | None,
    order: str | None,
) -> TimelineFilters:
    try:
        return read_filters(
            ordered_parties(session), ordered_demands(session), party, demand, start, end, order
        )
    except (UnknownFilter, InvalidDate) as problem:
        raise BadRequest(str(problem)) from None


def _feed_id(filters: TimelineFilters) -> str:
    canonical = "&".join(f"{key}={value}" for key, value in sorted(filters.params().items()))
    return f"tag:{TAG_AUTHORITY}:timeline" + (f"?{canonical}" if canonical else "")
