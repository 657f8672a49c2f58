"""Reactions (issue 17): statements that answer a proposal version, or one point of it.

Shared core, because two features need it and may not import each other: the statement form
offers what a statement can answer (app/statements), and the proposal pages show who answered
what (app/proposals). A statement names the version, and the point if it answers one
(app/models/statement.py); the database keeps both in the statement's own negotiation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Party, Proposal, ProposalPoint, ProposalVersion, Statement
from app.stances import OffScale, Stance

# How the form names a choice: "version:12" or "point:345".
VERSION_PREFIX = "version:"
POINT_PREFIX = "point:"


@dataclass(frozen=True)
class AnswerChoice:
    value: str
    label: str
    # The group the form's list puts it under: the proposal (and its negotiation, if several).
    group: str


def answer_choices(
    session: Session, negotiations: dict[int, str]
) -> list[tuple[str, list[AnswerChoice]]]:
    """Everything a statement of these negotiations (id → title) may answer, by proposal: each
    version, then its points. Two queries, whatever the number of points."""
    if not negotiations:
        return []
    versions = session.execute(
        select(ProposalVersion, Proposal.title, Proposal.negotiation_id)
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.negotiation_id.in_(negotiations))
        .order_by(Proposal.negotiation_id, Proposal.id, ProposalVersion.position)
    ).all()
    points: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for point_id, version_id, number in session.execute(
        select(ProposalPoint.id, ProposalPoint.version_id, ProposalPoint.number)
        .where(ProposalPoint.negotiation_id.in_(negotiations))
        .order_by(ProposalPoint.version_id, ProposalPoint.position)
    ).all():
        points[version_id].append((point_id, number))
    several = len(negotiations) > 1
    choices: list[AnswerChoice] = []
    for version, title, negotiation_id in versions:
        group = f"{title} — {negotiations[negotiation_id]}" if several else title
        # Each label names its proposal too: the filtering list (static/js/combobox.js)
        # shows options without their group.
        choices.append(
            AnswerChoice(
                f"{VERSION_PREFIX}{version.id}", f"{title}: {version.label} (as a whole)", group
            )
        )
        choices.extend(
            AnswerChoice(
                f"{POINT_PREFIX}{point_id}", f"{title}: {version.label}, point {number}", group
            )
            for point_id, number in points[version.id]
        )
    return [(group, list(items)) for group, items in groupby(choices, key=lambda c: c.group)]


def answer_value(version_id: int | None, point_id: int | None) -> str:
    """A stored answer as the form's list names it."""
    if point_id is not None:
        return f"{POINT_PREFIX}{point_id}"
    if version_id is not None:
        return f"{VERSION_PREFIX}{version_id}"
    return ""


@dataclass(frozen=True)
class Answered:
    """What one statement answers, for its page."""

    proposal: Proposal
    version: ProposalVersion
    point: ProposalPoint | None


def answered_by(session: Session, statement: Statement) -> Answered | None:
    """The version (and point) a statement answers, in one query; none when it answers none."""
    if statement.answers_version_id is None:
        return None
    row = session.execute(
        select(Proposal, ProposalVersion, ProposalPoint)
        .join(ProposalVersion, ProposalVersion.proposal_id == Proposal.id)
        .outerjoin(ProposalPoint, ProposalPoint.id == statement.answers_point_id)
        .where(ProposalVersion.id == statement.answers_version_id)
    ).one_or_none()
    return None if row is None else Answered(row[0], row[1], row[2])


@dataclass(frozen=True)
class Reaction:
    """A published statement that answers a version or a point, as the proposal page lists it."""

    statement_id: int
    party: Party
    stance: Stance | None
    off_scale: OffScale | None
    stated_on: dt.date
    stated_on_precision: str
    summary: str
    point_id: int | None


@dataclass
class VersionReactions:
    """One version's reactions: to the text as a whole, and per point (by point id)."""

    whole: list[Reaction] = field(default_factory=list)
    points: dict[int, list[Reaction]] = field(default_factory=dict)

    def of_point(self, point_id: int) -> list[Reaction]:
        return self.points.get(point_id, [])

    def __len__(self) -> int:
        return len(self.whole) + sum(len(r) for r in self.points.values())


def version_reactions(session: Session, version_id: int, as_of: dt.date) -> VersionReactions:
    """The published statements stated on or before `as_of` that answer the version or one of
    its points, oldest first: one query (a range of ix_statement_answers), whatever the points.

    Drafts and retracted statements are never reactions: readers see what `is_public` lets
    through, and nothing else."""
    found = VersionReactions()
    rows = session.execute(
        select(Statement, Party)
        .join(Party, Party.id == Statement.party_id)
        .where(
            Statement.answers_version_id == version_id,
            Statement.is_public(),
            Statement.stated_on <= as_of,
        )
        .order_by(Statement.stated_on, Statement.id)
    ).all()
    for statement, party in rows:
        reaction = Reaction(
            statement_id=statement.id,
            party=party,
            stance=statement.stance_value,
            off_scale=statement.off_scale_value,
            stated_on=statement.stated_on,
            stated_on_precision=statement.stated_on_precision,
            summary=statement.summary,
            point_id=statement.answers_point_id,
        )
        if reaction.point_id is None:
            found.whole.append(reaction)
        else:
            found.points.setdefault(reaction.point_id, []).append(reaction)
    return found
