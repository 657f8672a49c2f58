"""Reading proposals: the list of a negotiation's, and one proposal at one of its versions.

Each read is a fixed number of queries whatever the number of points or versions: points, their
demands and their lineage are each read in one query for the whole version, never per point.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    ChangeKind,
    Demand,
    Party,
    PointDemand,
    PointLineage,
    Proposal,
    ProposalAuthor,
    ProposalPoint,
    ProposalVersion,
    Source,
)
from app.reactions import VersionReactions, version_reactions
from app.stances import Stance


@dataclass(frozen=True)
class VersionLine:
    version: ProposalVersion
    source: Source
    points: int


@dataclass(frozen=True)
class ProposalLine:
    """One proposal in the list: who put it forward and its latest version."""

    proposal: Proposal
    authors: list[Party]
    latest: VersionLine | None
    versions: int


def negotiation_proposals(session: Session, negotiation_id: int) -> list[ProposalLine]:
    """Every proposal of the negotiation, by its latest version's date, newest first. 3 queries."""
    proposals = session.scalars(
        select(Proposal).where(Proposal.negotiation_id == negotiation_id).order_by(Proposal.id)
    ).all()
    ids = [p.id for p in proposals]
    authors = _authors(session, ids)
    versions = _version_lines(session, ids)
    lines = [
        ProposalLine(
            proposal=p,
            authors=authors.get(p.id, []),
            latest=versions[p.id][-1] if versions.get(p.id) else None,
            versions=len(versions.get(p.id, [])),
        )
        for p in proposals
    ]
    # Newest text first; proposals without a version yet last, in the order entered.
    return sorted(lines, key=_newest_first)


def _newest_first(line: ProposalLine) -> tuple[bool, int, int]:
    if line.latest is None:
        return (True, 0, line.proposal.id)
    return (False, -line.latest.version.issued_on.toordinal(), -line.proposal.id)


def _authors(session: Session, proposal_ids: list[int]) -> dict[int, list[Party]]:
    if not proposal_ids:
        return {}
    rows = session.execute(
        select(ProposalAuthor.proposal_id, Party)
        .join(Party, Party.id == ProposalAuthor.party_id)
        .where(ProposalAuthor.proposal_id.in_(proposal_ids))
        .order_by(ProposalAuthor.proposal_id, ProposalAuthor.position)
    ).all()
    authors: dict[int, list[Party]] = defaultdict(list)
    for proposal_id, party in rows:
        authors[proposal_id].append(party)
    return authors


def proposal_by_slug(session: Session, negotiation_id: int, slug: str) -> Proposal | None:
    return session.scalar(
        select(Proposal).where(Proposal.negotiation_id == negotiation_id, Proposal.slug == slug)
    )


@dataclass(frozen=True)
class PointStance:
    demand: Demand
    stance: Stance
    value: float | None
    unit: str | None


@dataclass(frozen=True)
class Predecessor:
    number: str
    change: ChangeKind


@dataclass
class PointView:
    point: ProposalPoint
    demands: list[PointStance] = field(default_factory=list)
    predecessors: list[Predecessor] = field(default_factory=list)


@dataclass(frozen=True)
class ProposalPage:
    proposal: Proposal
    authors: list[Party]
    versions: list[VersionLine]
    # The version shown (the latest on the proposal's own page), None while it has none.
    shown: VersionLine | None
    previous: ProposalVersion | None
    points: list[PointView]
    # Points of the previous version that no point of the shown one names as predecessor.
    dropped: list[ProposalPoint]
    # Published statements answering the shown version or its points, as of the page's date.
    reactions: VersionReactions = field(default_factory=VersionReactions)

    @property
    def is_latest(self) -> bool:
        return self.shown is not None and self.shown is self.versions[-1]


def version_by_ref(versions: list[VersionLine], ref: str) -> VersionLine | None:
    """A version by its slug, or by its id (digits)."""
    for line in versions:
        if line.version.slug == ref or (ref.isdigit() and str(line.version.id) == ref):
            return line
    return None


def proposal_versions(session: Session, proposal: Proposal) -> list[VersionLine]:
    """The proposal's versions in order, each with its source and number of points. 1 query."""
    return _version_lines(session, [proposal.id]).get(proposal.id, [])


def _version_lines(session: Session, proposal_ids: list[int]) -> dict[int, list[VersionLine]]:
    if not proposal_ids:
        return {}
    points = (
        select(ProposalPoint.version_id, func.count().label("n"))
        .join(ProposalVersion, ProposalVersion.id == ProposalPoint.version_id)
        .where(ProposalVersion.proposal_id.in_(proposal_ids))
        .group_by(ProposalPoint.version_id)
        .subquery()
    )
    lines: dict[int, list[VersionLine]] = defaultdict(list)
    for version, source, n in session.execute(
        select(ProposalVersion, Source, func.coalesce(points.c.n, 0))
        .join(Source, Source.id == ProposalVersion.source_id)
        .outerjoin(points, points.c.version_id == ProposalVersion.id)
        .where(ProposalVersion.proposal_id.in_(proposal_ids))
        .order_by(ProposalVersion.proposal_id, ProposalVersion.position)
    ).all():
        lines[version.proposal_id].append(VersionLine(version, source, n))
    return lines


def proposal_page(
    session: Session,
    proposal: Proposal,
    versions: list[VersionLine],
    shown: VersionLine | None,
    as_of: dt.date | None = None,
    *,
    with_reactions: bool = True,
) -> ProposalPage:
    """The proposal at one version: its points with demands and lineage, what it dropped, and
    (`with_reactions`) the reactions to it as of `as_of` (today if None).

    5 queries (authors, points, demands, lineage, reactions) plus one for the dropped points."""
    authors = _authors(session, [proposal.id]).get(proposal.id, [])
    if shown is None:
        return ProposalPage(proposal, authors, versions, None, None, [], [])
    version = shown.version
    previous = next(
        (line.version for line in versions if line.version.id == version.previous_id), None
    )
    views = [
        PointView(point)
        for point in session.scalars(
            select(ProposalPoint)
            .where(ProposalPoint.version_id == version.id)
            .order_by(ProposalPoint.position)
        )
    ]
    by_id = {view.point.id: view for view in views}
    if views:
        for link, demand in session.execute(
            select(PointDemand, Demand)
            .join(Demand, Demand.id == PointDemand.demand_id)
            .join(ProposalPoint, ProposalPoint.id == PointDemand.point_id)
            .where(ProposalPoint.version_id == version.id)
            .order_by(Demand.display_order, Demand.id)
        ).all():
            by_id[link.point_id].demands.append(
                PointStance(demand, Stance(link.stance), link.value, link.unit)
            )
    dropped: list[ProposalPoint] = []
    if previous is not None and views:
        before = aliased(ProposalPoint)
        for point_id, number, change in session.execute(
            select(PointLineage.point_id, before.number, PointLineage.change)
            .join(before, before.id == PointLineage.predecessor_id)
            .join(ProposalPoint, ProposalPoint.id == PointLineage.point_id)
            .where(ProposalPoint.version_id == version.id)
            .order_by(before.position)
        ).all():
            by_id[point_id].predecessors.append(Predecessor(number, ChangeKind(change)))
    if previous is not None:
        successor = aliased(ProposalPoint)
        dropped = list(
            session.scalars(
                select(ProposalPoint)
                .where(
                    ProposalPoint.version_id == previous.id,
                    ~exists().where(
                        and_(
                            PointLineage.predecessor_id == ProposalPoint.id,
                            PointLineage.point_id == successor.id,
                            successor.version_id == version.id,
                        )
                    ),
                )
                .order_by(ProposalPoint.position)
            )
        )
    reactions = (
        version_reactions(session, version.id, as_of or dt.date.today())
        if with_reactions
        else VersionReactions()
    )
    return ProposalPage(proposal, authors, versions, shown, previous, views, dropped, reactions)
