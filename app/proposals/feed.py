"""Proposal versions as Atom feeds: a negotiation's (`/talks/{n}/proposals.atom`, every proposal)
and one proposal's (`/talks/{n}/proposals/{p}/feed.atom`). One entry per version, newest first,
saying in words what it is and what it follows; a corrected version updates its entry (same id,
newer `updated`). Ids and head from app/atom.py."""

from __future__ import annotations

from collections.abc import Callable

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.atom import FEED_SIZE, new_feed, tag_id
from app.dates import format_date
from app.models import Proposal, ProposalVersion, Source, VersionStatus

# (version, its proposal, its source, the label of the version before it or None)
VersionRow = tuple[ProposalVersion, Proposal, Source, str | None]


def entry_id(authority: str, version_id: int) -> str:
    return tag_id(authority, f"proposal-version/{version_id}")


def newest_versions(
    session: Session, *, negotiation_id: int, proposal_id: int | None = None
) -> list[VersionRow]:
    """The versions entered last (of one proposal, or of all the negotiation's), newest first,
    with their proposal, source and the previous version's label. 1 query."""
    earlier = aliased(ProposalVersion)
    query = (
        select(ProposalVersion, Proposal, Source, earlier.label)
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .join(Source, Source.id == ProposalVersion.source_id)
        .outerjoin(earlier, earlier.id == ProposalVersion.previous_id)
        .where(ProposalVersion.negotiation_id == negotiation_id)
        .order_by(ProposalVersion.created_at.desc(), ProposalVersion.id.desc())
        .limit(FEED_SIZE)
    )
    if proposal_id is not None:
        query = query.where(ProposalVersion.proposal_id == proposal_id)
    return [
        (version, proposal, source, label)
        for version, proposal, source, label in session.execute(query).all()
    ]


def versions_feed(
    rows: list[VersionRow],
    *,
    title: str,
    feed_id: str,
    self_url: str,
    html_url: str,
    version_url: Callable[[Proposal, ProposalVersion], str],
    site_name: str,
    authority: str,
) -> FeedGenerator:
    feed = new_feed(
        title=title,
        feed_id=feed_id,
        self_url=self_url,
        html_url=html_url,
        site_name=site_name,
        updated=(v.updated_at for v, _p, _s, _l in rows),
    )
    for version, proposal, source, previous_label in rows:
        when = format_date(version.issued_on, version.issued_on_precision)
        status = VersionStatus(version.status).label
        words = f"{proposal.title}: “{version.label}”, {status}, issued {when} ({source.publisher})"
        words += f"; it follows “{previous_label}”." if previous_label else "; its first text."
        # A version edited after it was entered is a correction of that entry.
        corrected = version.version > 1
        if corrected:
            words = f"Corrected on {format_date(version.updated_at.date())}. {words}"
        entry = feed.add_entry(order="append")  # keep our newest-first order
        entry.id(entry_id(authority, version.id))
        entry.title(
            ("Corrected: " if corrected else "")
            + f"{proposal.title}: {version.label} ({when}, {status})"
        )
        entry.link(href=version_url(proposal, version), rel="alternate", type="text/html")
        entry.category(term="correction" if corrected else "new-version")
        entry.published(version.created_at)
        entry.updated(version.updated_at)
        entry.summary(words)
        entry.content(f"{words}\n\nSource: {source.title} ({source.publisher})", type="text")
    return feed
