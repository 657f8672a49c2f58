"""`/api/negotiations/{slug}/proposals…`: a negotiation's proposals, and one with its versions,
the latest version's points, their demands and lineage."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from app.api.params import Slug, api_router
from app.db import DbSession
from app.exceptions import found
from app.links import Links
from app.negotiations.queries import negotiation_by_slug
from app.proposals.queries import (
    negotiation_proposals,
    proposal_by_slug,
    proposal_page,
    proposal_versions,
)
from app.proposals.schemas import (
    DroppedOut,
    PointOut,
    ProposalDetail,
    ProposalList,
    ProposalSummary,
    VersionOut,
    proposal_out,
)

router = api_router("proposals")

ProposalSlug = Annotated[
    str,
    Path(description="The proposal's slug.", max_length=100, examples=["ukraine-peace-formula"]),
]


@router.get("/api/negotiations/{slug}/proposals", name="api_proposals")
def list_proposals(session: DbSession, slug: Slug, link: Links) -> ProposalList:
    """The negotiation's proposals, each with its authors and latest version (newest first;
    a short list: not paginated)."""
    negotiation = found(negotiation_by_slug(session, slug), f"There is no negotiation {slug!r}.")
    return ProposalList(
        items=[
            ProposalSummary(
                **proposal_out(line, negotiation.slug, link),
                latest=None
                if line.latest is None
                else VersionOut.of(line.latest, negotiation.slug, line.proposal.slug, link),
                versions=line.versions,
            )
            for line in negotiation_proposals(session, negotiation.id)
        ]
    )


@router.get("/api/negotiations/{slug}/proposals/{proposal}", name="api_proposal")
def show_proposal(
    session: DbSession, slug: Slug, proposal: ProposalSlug, link: Links
) -> ProposalDetail:
    """One proposal: its versions in order, the latest version's points with the demands each
    speaks to (stance, value, unit) and its predecessors, and the points it dropped."""
    negotiation = found(negotiation_by_slug(session, slug), f"There is no negotiation {slug!r}.")
    record = found(
        proposal_by_slug(session, negotiation.id, proposal),
        f"{negotiation.title} have no proposal {proposal!r}.",
    )
    versions = proposal_versions(session, record)
    page = proposal_page(session, record, versions, versions[-1] if versions else None)
    return ProposalDetail(
        **proposal_out(page, negotiation.slug, link),
        versions=[VersionOut.of(v, negotiation.slug, record.slug, link) for v in versions],
        shown=None
        if page.shown is None
        else VersionOut.of(page.shown, negotiation.slug, record.slug, link),
        points=[PointOut.of(view, negotiation.slug, link) for view in page.points],
        dropped=[DroppedOut(number=p.number, text=p.text) for p in page.dropped],
    )
