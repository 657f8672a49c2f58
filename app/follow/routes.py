"""The follow feeds: `/talks/{negotiation}/parties/{party}/feed.atom`, `…/demands/{demand}/
feed.atom`, the cell's `…/parties/{party}/demands/{demand}/feed.atom`, and a proposal's
`…/proposals/{proposal}/feed.atom` (its versions). Each entry says the change in words.

Bounded (app.feeds.FEED_SIZE entries), a constant number of queries whatever the history, and
cached like every reader page: ETags from the data version (app/caching.py READER_ROUTES).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.changes import describe, histories
from app.dates import format_date
from app.db import DbSession
from app.exceptions import NotFound
from app.feeds import EPOCH, FeedHead, atom_response, new_feed, statement_feed, tag
from app.follow.queries import (
    changed_statements,
    demand_in,
    party_in,
    proposal_in,
    proposal_versions_newest,
)
from app.links import absolute_url
from app.models import Demand, Negotiation, Party, VersionStatus
from app.negotiations.scope import Talks

router = APIRouter()

Slug = Annotated[str, Path(description="A slug.", max_length=100)]


def _party(session: DbSession, negotiation: Negotiation, slug: str) -> Party:
    party = party_in(session, negotiation.id, slug)
    if party is None:
        raise NotFound(f"No party “{slug}” takes part in {negotiation.title}.")
    return party


def _demand(session: DbSession, negotiation: Negotiation, slug: str) -> Demand:
    demand = demand_in(session, negotiation.id, slug)
    if demand is None:
        raise NotFound(f"There is no demand “{slug}” in {negotiation.title}.")
    return demand


def _statements_feed(
    request: Request,
    session: DbSession,
    negotiation: Negotiation,
    *,
    title: str,
    specific: str,
    self_url: str,
    html_url: str,
    party: Party | None = None,
    demand: Demand | None = None,
) -> Response:
    settings = request.app.state.settings
    statements = changed_statements(
        session,
        negotiation.id,
        party_id=party.id if party else None,
        demand_id=demand.id if demand else None,
    )
    history = histories(session, statements)
    changes = {s.id: describe(s, history) for s in statements}
    head = FeedHead(
        title=f"{settings.site_name}: {title}",
        feed_id=tag(settings.tag_authority, specific),
        self_url=self_url,
        html_url=html_url,
        site_name=settings.site_name,
    )
    body = statement_feed(
        head,
        statements,
        changes,
        authority=settings.tag_authority,
        statement_url=lambda sid: absolute_url(request, "statement", statement_id=sid),
    )
    return atom_response(body)


@router.get("/talks/{negotiation}/parties/{party}/feed.atom", name="party_feed")
def party_feed(request: Request, session: DbSession, negotiation: Talks, party: Slug) -> Response:
    found = _party(session, negotiation, party)
    return _statements_feed(
        request,
        session,
        negotiation,
        title=f"{found.name} in {negotiation.title}",
        # Ids, not slugs: a renamed slug keeps the feed the same feed.
        specific=f"negotiation/{negotiation.id}/party/{found.id}",
        self_url=absolute_url(
            request, "party_feed", negotiation=negotiation.slug, party=found.slug
        ),
        html_url=absolute_url(
            request, "talks_party", negotiation=negotiation.slug, slug=found.slug
        ),
        party=found,
    )


@router.get("/talks/{negotiation}/demands/{demand}/feed.atom", name="demand_feed")
def demand_feed(request: Request, session: DbSession, negotiation: Talks, demand: Slug) -> Response:
    found = _demand(session, negotiation, demand)
    return _statements_feed(
        request,
        session,
        negotiation,
        title=f"{found.title} ({negotiation.title})",
        specific=f"negotiation/{negotiation.id}/demand/{found.id}",
        self_url=absolute_url(
            request, "demand_feed", negotiation=negotiation.slug, demand=found.slug
        ),
        html_url=absolute_url(request, "demand", negotiation=negotiation.slug, slug=found.slug),
        demand=found,
    )


@router.get("/talks/{negotiation}/parties/{party}/demands/{demand}/feed.atom", name="cell_feed")
def cell_feed(
    request: Request, session: DbSession, negotiation: Talks, party: Slug, demand: Slug
) -> Response:
    found_party = _party(session, negotiation, party)
    found_demand = _demand(session, negotiation, demand)
    return _statements_feed(
        request,
        session,
        negotiation,
        title=f"{found_party.name} on {found_demand.title}",
        specific=f"negotiation/{negotiation.id}/party/{found_party.id}/demand/{found_demand.id}",
        self_url=absolute_url(
            request,
            "cell_feed",
            negotiation=negotiation.slug,
            party=found_party.slug,
            demand=found_demand.slug,
        ),
        html_url=absolute_url(request, "timeline", negotiation=negotiation.slug)
        + f"?party={found_party.slug}&demand={found_demand.slug}",
        party=found_party,
        demand=found_demand,
    )


@router.get("/talks/{negotiation}/proposals/{proposal}/feed.atom", name="proposal_versions_feed")
def proposal_versions_feed(
    request: Request, session: DbSession, negotiation: Talks, proposal: Slug
) -> Response:
    """A proposal's versions, newest first: each new text, and each corrected one."""
    found = proposal_in(session, negotiation.id, proposal)
    if found is None:
        raise NotFound(f"{negotiation.title} have no proposal “{proposal}”.")
    settings = request.app.state.settings
    rows = proposal_versions_newest(session, found.id)
    params = {"negotiation": negotiation.slug, "proposal": found.slug}
    feed = new_feed(
        FeedHead(
            title=f"{settings.site_name}: {found.title}, its versions",
            feed_id=tag(settings.tag_authority, f"proposal/{found.id}/versions"),
            self_url=absolute_url(request, "proposal_versions_feed", **params),
            html_url=absolute_url(
                request, "proposal", negotiation=negotiation.slug, slug=found.slug
            ),
            site_name=settings.site_name,
        ),
        max((version.updated_at for version, _, _ in rows), default=EPOCH),
    )
    for version, source, previous_label in rows:
        when = format_date(version.issued_on, version.issued_on_precision)
        status = VersionStatus(version.status).label
        words = f"{found.title}: “{version.label}”, {status}, issued {when} ({source.publisher})"
        words += f"; it follows “{previous_label}”." if previous_label else "; its first text."
        corrected = version.version > 1
        if corrected:
            words = f"Corrected on {format_date(version.updated_at.date())}. {words}"
        entry = feed.add_entry(order="append")
        entry.id(tag(settings.tag_authority, f"proposal_version/{version.id}"))
        entry.title(("Corrected: " if corrected else "New version: ") + version.label)
        entry.link(
            href=absolute_url(
                request,
                "proposal_version",
                negotiation=negotiation.slug,
                slug=found.slug,
                version=version.slug,
            ),
            rel="alternate",
            type="text/html",
        )
        entry.category(term="correction" if corrected else "new-version")
        entry.published(version.created_at)
        entry.updated(version.updated_at)
        entry.summary(words)
        entry.content(f"{words}\n\nSource: {source.title} ({source.publisher})", type="text")
    return atom_response(bytes(feed.atom_str(pretty=True)))
