"""A negotiation's proposal versions as an Atom feed: one entry for each version entered, newest
first, following the timeline feed's conventions (app/timeline/feed.py): tag: ids from the
database id alone, text constructs, a fixed `updated` when empty."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.atom import new_feed, tag_id
from app.dates import format_date
from app.models import Proposal, ProposalVersion, Source, VersionStatus

FEED_SIZE = 50


def entry_id(version_id: int) -> str:
    return tag_id("proposal-version", version_id)


def newest_versions(
    session: Session, negotiation_id: int
) -> list[tuple[ProposalVersion, Proposal, Source]]:
    """The versions entered last, newest first, with their proposal and source. 1 query."""
    return [
        (version, proposal, source)
        for version, proposal, source in session.execute(
            select(ProposalVersion, Proposal, Source)
            .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
            .join(Source, Source.id == ProposalVersion.source_id)
            .where(ProposalVersion.negotiation_id == negotiation_id)
            .order_by(ProposalVersion.created_at.desc(), ProposalVersion.id.desc())
            .limit(FEED_SIZE)
        ).all()
    ]


def proposals_feed(
    rows: list[tuple[ProposalVersion, Proposal, Source]],
    *,
    title: str,
    feed_id: str,
    self_url: str,
    html_url: str,
    version_url: Callable[[Proposal, ProposalVersion], str],
    site_name: str,
) -> bytes:
    feed = new_feed(
        title=title,
        feed_id=feed_id,
        self_url=self_url,
        html_url=html_url,
        site_name=site_name,
        updated=(v.updated_at for v, _p, _s in rows),
    )
    for version, proposal, source in rows:
        when = format_date(version.issued_on, version.issued_on_precision)
        status = VersionStatus(version.status).label
        entry = feed.add_entry(order="append")
        entry.id(entry_id(version.id))
        entry.title(f"{proposal.title}: {version.label} ({when}, {status})")
        entry.link(href=version_url(proposal, version), rel="alternate", type="text/html")
        entry.published(version.created_at)
        entry.updated(version.updated_at)
        entry.content(
            f"A new version of {proposal.title}: {version.label}, {when} ({status}). "
            f"Source: {source.title} ({source.publisher})",
            type="text",
        )
    return bytes(feed.atom_str(pretty=True))
