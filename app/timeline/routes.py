"""`/talks/{negotiation}/timeline` and its Atom feed: a negotiation's newest statements, with
filters over its own parties and demands; and the old `/timeline` and `/timeline.atom`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.atom import FEED_SIZE, statement_feed, tag_id
from app.dates import InvalidDate, parse_iso_date
from app.db import DbSession
from app.exceptions import BadRequest, UnknownFilter
from app.links import absolute_url
from app.models import Demand, Negotiation, Party
from app.negotiations.queries import (
    negotiation_demands,
    negotiation_parties,
    negotiations_of_party,
    oldest_demand_by_slug,
    ordered_negotiations,
)
from app.negotiations.scope import Talks, moved, moved_or_ask
from app.pages import render
from app.paging import InvalidPaging, parse_cursor
from app.timeline.queries import ORDERS, TimelineFilters, timeline_page

router = APIRouter()


def read_filters(
    parties: list[Party],
    demands: list[Demand],
    party: str | None,
    demand: str | None,
    start: str | None,
    end: str | None,
    order: str | None = None,
    negotiation: Negotiation | None = None,
) -> TimelineFilters:
    by_party = {p.slug: p for p in parties}
    by_demand = {d.slug: d for d in demands}
    where = f" in {negotiation.title}" if negotiation is not None else ""
    if party and party not in by_party:
        raise UnknownFilter(f"There is no party {party!r}{where}.")
    if demand and demand not in by_demand:
        raise UnknownFilter(f"There is no demand {demand!r}{where}.")
    start_date = parse_iso_date(start, field="from") if start else None
    end_date = parse_iso_date(end, field="to") if end else None
    if start_date and end_date and start_date > end_date:
        raise InvalidDate("from must be on or before to.")
    if order and order not in ORDERS:
        raise UnknownFilter(f"order must be {' or '.join(ORDERS)}, not {order!r}.")
    return TimelineFilters(
        negotiation=negotiation,
        party=by_party[party] if party else None,
        demand=by_demand[demand] if demand else None,
        start=start_date,
        end=end_date,
        order=order or "stated",
    )


def _choices(session: Session, negotiation: Negotiation) -> tuple[list[Party], list[Demand]]:
    """The filters' choices: only this negotiation's participants and demands."""
    return negotiation_parties(session, negotiation.id), negotiation_demands(
        session, negotiation.id
    )


@router.get("/talks/{negotiation}/timeline", name="timeline")
def timeline(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    party: str | None = None,
    demand: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    before: str | None = None,
    order: str | None = None,
) -> Response:
    parties, demands = _choices(session, negotiation)
    form = {
        "party": party or "",
        "demand": demand or "",
        "from": start or "",
        "to": end or "",
        "order": order or "stated",
    }
    context: dict[str, object] = {
        "negotiation": negotiation,
        "parties": parties,
        "demands": demands,
        "form": form,
        "error": None,
        "page": None,
        "filters": None,
    }
    try:
        filters = read_filters(parties, demands, party, demand, start, end, order, negotiation)
        cursor = parse_cursor(before)
    except (UnknownFilter, InvalidDate, InvalidPaging) as problem:
        context["error"] = str(problem)
        return render(request, "timeline/index.html", context, block="content", status_code=400)
    context["filters"] = filters
    context["page"] = timeline_page(session, filters, cursor)
    return render(request, "timeline/index.html", context, block="content")


@router.get("/talks/{negotiation}/timeline.atom", name="timeline_feed")
def timeline_feed(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    party: str | None = None,
    demand: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    order: str | None = None,
) -> Response:
    parties, demands = _choices(session, negotiation)
    filters = _feed_filters(parties, demands, party, demand, start, end, order, negotiation)
    return _feed(
        request,
        session,
        filters,
        title=negotiation.title,
        # Its id, not its slug: an editor may rename the slug, and the feed stays the same feed.
        feed_id=_feed_id(request, f"negotiation/{negotiation.id}/timeline", filters),
        self_url=absolute_url(request, "timeline_feed", negotiation=negotiation.slug),
        html_url=absolute_url(request, "timeline", negotiation=negotiation.slug),
    )


# --- URLs from before negotiations ------------------------------------------------------------


@dataclass(frozen=True)
class OldLink:
    """What an old timeline URL can mean: the negotiations to offer, and its party, if any."""

    candidates: list[Negotiation]
    party: Party | None = None


def _old_link(session: Session, party: str | None, demand: str | None) -> OldLink:
    """The negotiations an old timeline URL can mean: the one its demand belongs to, else those
    its party takes part in, else every one. Offering a negotiation whose timeline would then
    refuse the filter ("no party 'russia' in Sudan talks") would be a dead end."""
    if demand:
        found = oldest_demand_by_slug(session, demand)
        if found is None:
            raise BadRequest(f"There is no demand {demand!r}.")
        return OldLink([n for n in ordered_negotiations(session) if n.id == found.negotiation_id])
    if party:
        taking_part = negotiations_of_party(session, party)
        if taking_part is None:
            raise BadRequest(f"There is no party {party!r}.")
        return OldLink(taking_part[1], taking_part[0])
    return OldLink(ordered_negotiations(session))


@router.get("/timeline", name="old_timeline")
def old_timeline(
    request: Request,
    session: DbSession,
    party: str | None = None,
    demand: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    before: str | None = None,
    order: str | None = None,
) -> Response:
    """The timeline from before negotiations: 301 to the scoped one, query kept, or a 300 page
    asking which negotiation's (the scoped page checks the other filters)."""
    old = _old_link(session, party, demand)
    return moved_or_ask(request, old.candidates, "timeline", what="a timeline")


@router.get("/timeline.atom", name="old_timeline_feed")
def old_timeline_feed(
    request: Request,
    session: DbSession,
    party: str | None = None,
    demand: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    order: str | None = None,
) -> Response:
    """The feed from before negotiations, which readers are subscribed to.

    A feed reader cannot choose from a 300 page: it would show an error, or drop the
    subscription. So when one negotiation fits, a 301 (readers follow it and most update the
    subscription; entry ids are the statements', so nothing shows twice); when several do, it
    stays what subscribers signed up for: every new statement (by its party, if it names one),
    now across those negotiations, each entry naming its negotiation, under the feed id it
    always had."""
    old = _old_link(session, party, demand)
    if len(old.candidates) == 1:
        return moved(request, "timeline_feed", negotiation=old.candidates[0].slug)
    dates = _feed_filters([], [], None, None, start, end, order)
    filters = TimelineFilters(party=old.party, start=dates.start, end=dates.end, order=dates.order)
    return _feed(
        request,
        session,
        filters,
        title=None,
        feed_id=_feed_id(request, "timeline", filters),
        self_url=absolute_url(request, "old_timeline_feed"),
        html_url=absolute_url(request, "home"),
        named={n.id: n.title for n in ordered_negotiations(session)},
    )


# --- The feed ---------------------------------------------------------------------------------


def _feed(
    request: Request,
    session: Session,
    filters: TimelineFilters,
    *,
    title: str | None,
    feed_id: str,
    self_url: str,
    html_url: str,
    named: dict[int, str] | None = None,
) -> Response:
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
            ("newest", "published" if filters.order == "entered" else None),
        ]
        if value
    ]
    heading = f"{site_name}: {title}" if title else site_name
    return statement_feed(
        session,
        page.statements,
        title=f"{heading}: new statements" + (f" ({', '.join(described)})" if described else ""),
        feed_id=feed_id,
        self_url=self_url + (f"?{query}" if query else ""),
        html_url=html_url + (f"?{query}" if query and title else ""),
        site_name=site_name,
        authority=request.app.state.settings.tag_authority,
        statement_url=lambda sid: absolute_url(request, "statement", statement_id=sid),
        negotiation_titles=named,
    )


def _feed_filters(
    parties: list[Party],
    demands: list[Demand],
    party: str | None,
    demand: str | None,
    start: str | None,
    end: str | None,
    order: str | None,
    negotiation: Negotiation | None = None,
) -> TimelineFilters:
    try:
        return read_filters(parties, demands, party, demand, start, end, order, negotiation)
    except (UnknownFilter, InvalidDate) as problem:
        raise BadRequest(str(problem)) from None


def _feed_id(request: Request, name: str, filters: TimelineFilters) -> str:
    """The feed's id is its canonical filter set: the same filters, the same feed. The
    negotiation is in `name`, not among the filters."""
    canonical = "&".join(f"{key}={value}" for key, value in sorted(filters.scoped_params().items()))
    authority = request.app.state.settings.tag_authority
    return tag_id(authority, name + (f"?{canonical}" if canonical else ""))
