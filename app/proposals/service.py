"""Writes to proposals, through the one write path (rows + revisions).

A version is written whole: its points, each point's demands and lineage, in one call, so that a
version is never stored half-entered. Every check runs before the first row is written; the
database's own keys (app/models/proposal.py) refuse the same again should a caller skip this.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.dates import DatePrecision, is_period_start
from app.exceptions import AlreadyTaken, FieldProblem
from app.field_types import CLEAN, EMPTY_IS_NONE, LINE, Slug, StoredDate
from app.models import (
    ChangeKind,
    Demand,
    Negotiation,
    Participation,
    PointDemand,
    PointLineage,
    Proposal,
    ProposalAuthor,
    ProposalKind,
    ProposalPoint,
    ProposalVersion,
    Source,
    User,
    VersionStatus,
)
from app.models.proposal import (
    DESCRIPTION_MAX,
    EXCERPT_MAX,
    LABEL_MAX,
    NOTE_MAX,
    NUMBER_MAX,
    POINT_TEXT_MAX,
    TITLE_MAX,
    UNIT_MAX,
)
from app.revisions import add_with_revision
from app.slugs import slugify
from app.stances import Stance

# The most points one version may hold: the longest plans so far have 28; this is room, not a
# target, and keeps one form from writing thousands of rows.
POINTS_MAX = 200


def _line(max_length: int) -> object:
    return StringConstraints(min_length=1, max_length=max_length)


ProposalTitle = Annotated[str, _line(TITLE_MAX), LINE]
ProposalDescription = Annotated[
    Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX), CLEAN] | None, EMPTY_IS_NONE
]
AuthorshipNote = Annotated[
    Annotated[str, StringConstraints(max_length=NOTE_MAX), CLEAN] | None, EMPTY_IS_NONE
]
VersionLabel = Annotated[str, _line(LABEL_MAX), LINE]
PointNumber = Annotated[str, _line(NUMBER_MAX), LINE]
PointText = Annotated[str, _line(POINT_TEXT_MAX), CLEAN]
Excerpt = Annotated[
    Annotated[str, StringConstraints(max_length=EXCERPT_MAX), CLEAN] | None, EMPTY_IS_NONE
]
Unit = Annotated[Annotated[str, StringConstraints(max_length=UNIT_MAX), LINE] | None, EMPTY_IS_NONE]


class ProposalFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    title: ProposalTitle
    kind: ProposalKind
    # The parties that put it forward, in the order shown; empty only when authorship is
    # disputed, and then the note says by whom it is said to be.
    author_party_ids: list[int] = Field(default_factory=list, max_length=20)
    disputed_authorship: AuthorshipNote = None
    description: ProposalDescription = None


class PointDemandFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    demand_id: int
    stance: Stance
    value: float | None = Field(None, allow_inf_nan=False)
    unit: Unit = None

    @model_validator(mode="after")
    def _unit_has_a_value(self) -> PointDemandFields:
        if self.unit is not None and self.value is None:
            raise ValueError("a unit needs the value it counts")
        return self


class LineageFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The predecessor's number, as printed in the previous version.
    number: PointNumber
    change: ChangeKind = ChangeKind.UNCHANGED


class PointFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: PointNumber
    text: PointText
    excerpt: Excerpt = None
    demands: list[PointDemandFields] = Field(default_factory=list, max_length=50)
    predecessors: list[LineageFields] = Field(default_factory=list, max_length=20)


class VersionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: VersionLabel
    issued_on: StoredDate
    issued_on_precision: DatePrecision = DatePrecision.DAY
    status: VersionStatus
    # Required: None only so that a form left without one gets this service's message.
    source_id: int | None = None
    points: list[PointFields] = Field(default_factory=list, max_length=POINTS_MAX)

    @model_validator(mode="after")
    def _date_is_known(self) -> VersionFields:
        if not is_period_start(self.issued_on, self.issued_on_precision):
            raise ValueError(
                f"a date known only to the {self.issued_on_precision.value} cannot name a day: "
                "give the month or year alone"
            )
        if self.issued_on > dt.date.today():
            raise ValueError("a version's date cannot be in the future")
        return self


def create_proposal(
    session: Session, negotiation: Negotiation, fields: ProposalFields, *, user: User
) -> Proposal:
    taken = session.scalar(
        select(Proposal.id).where(
            Proposal.negotiation_id == negotiation.id, Proposal.slug == fields.slug
        )
    )
    if taken is not None:
        raise AlreadyTaken("slug", f"another proposal in these talks has the slug {fields.slug!r}")
    _check_authors(session, negotiation, fields)
    proposal = Proposal(
        negotiation_id=negotiation.id,
        slug=fields.slug,
        title=fields.title,
        kind=fields.kind.value,
        disputed_authorship=fields.disputed_authorship,
        description=fields.description or "",
    )
    session.add(proposal)
    session.flush()
    authors = [
        ProposalAuthor(
            proposal_id=proposal.id,
            negotiation_id=negotiation.id,
            party_id=party_id,
            position=position,
        )
        for position, party_id in enumerate(fields.author_party_ids)
    ]
    session.add_all(authors)
    # The snapshot lists the authors: they are known here, no need to read them back.
    set_committed_value(proposal, "authors", authors)
    add_with_revision(session, proposal, user=user)
    return proposal


def _check_authors(session: Session, negotiation: Negotiation, fields: ProposalFields) -> None:
    ids = fields.author_party_ids
    if fields.disputed_authorship is not None:
        if ids:
            raise FieldProblem(
                "author_party_ids",
                "name the authors or mark the authorship disputed, not both",
            )
        return
    if not ids:
        raise FieldProblem(
            "author_party_ids",
            "name the party or parties that put it forward, or mark the authorship disputed "
            "with a note",
        )
    if len(set(ids)) != len(ids):
        raise FieldProblem("author_party_ids", "a party is named twice among the authors")
    taking_part = set(
        session.scalars(
            select(Participation.party_id).where(
                Participation.negotiation_id == negotiation.id,
                Participation.party_id.in_(ids),
            )
        )
    )
    outside = [i for i in ids if i not in taking_part]
    if outside:
        raise FieldProblem(
            "author_party_ids",
            f"party #{outside[0]} does not take part in {negotiation.title}: only participants "
            "can put a proposal forward there",
        )


def add_version(
    session: Session, proposal: Proposal, fields: VersionFields, *, user: User
) -> ProposalVersion:
    """Append a version, with its points, after the proposal's latest."""
    if fields.source_id is None:
        raise FieldProblem("source_id", "a version needs its source: the text or the report")
    if session.get(Source, fields.source_id) is None:
        raise FieldProblem("source_id", f"there is no source #{fields.source_id}")
    previous = session.scalar(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id)
        .order_by(ProposalVersion.position.desc())
        .limit(1)
    )
    slug = _version_slug(fields.label)
    taken = session.scalar(
        select(func.count()).where(
            ProposalVersion.proposal_id == proposal.id, ProposalVersion.slug == slug
        )
    )
    if taken:
        raise AlreadyTaken("label", f"this proposal already has a version labelled like {slug!r}")
    _check_numbers(fields.points)
    _check_demands(session, proposal, fields.points)
    predecessors = _predecessors(session, previous, fields.points)

    version = ProposalVersion(
        proposal_id=proposal.id,
        negotiation_id=proposal.negotiation_id,
        previous_id=previous.id if previous else None,
        position=previous.position + 1 if previous else 1,
        label=fields.label,
        slug=slug,
        issued_on=fields.issued_on,
        issued_on_precision=fields.issued_on_precision.value,
        status=fields.status.value,
        source_id=fields.source_id,
    )
    try:
        # A savepoint: should another editor's version take this place first, only this insert
        # is undone and the caller gets a message instead of a broken transaction.
        with session.begin_nested():
            add_with_revision(session, version, user=user)
    except IntegrityError as race:
        raise FieldProblem(
            "label",
            "another version of this proposal was saved at the same moment: reload the proposal "
            "and add this one after it",
        ) from race
    for position, point_fields in enumerate(fields.points, start=1):
        point = ProposalPoint(
            version_id=version.id,
            negotiation_id=proposal.negotiation_id,
            previous_version_id=version.previous_id,
            number=point_fields.number,
            text=point_fields.text,
            excerpt=point_fields.excerpt,
            position=position,
        )
        session.add(point)
        session.flush()
        links = [
            PointDemand(
                point_id=point.id,
                negotiation_id=proposal.negotiation_id,
                demand_id=d.demand_id,
                stance=d.stance.value,
                value=d.value,
                unit=d.unit,
            )
            for d in point_fields.demands
        ]
        lineage = [
            PointLineage(
                point_id=point.id,
                previous_version_id=version.previous_id,
                predecessor_id=predecessors[link.number],
                change=link.change.value,
            )
            for link in point_fields.predecessors
        ]
        session.add_all([*links, *lineage])
        set_committed_value(point, "demand_links", links)
        set_committed_value(point, "predecessor_links", lineage)
        add_with_revision(session, point, user=user)
    return version


def _version_slug(label: str) -> str:
    slug = slugify(label, fallback="version")
    # A version's URL takes its id or its slug: a slug of digits alone would read as an id.
    return f"version-{slug}" if slug.isdigit() else slug


def _check_numbers(points: list[PointFields]) -> None:
    counts = Counter(p.number for p in points)
    for index, point in enumerate(points):
        if counts[point.number] > 1:
            raise FieldProblem(
                f"points[{index}].number",
                f"point {point.number!r} appears {counts[point.number]} times in this version: "
                "each number as printed once",
            )
        demand_ids = Counter(d.demand_id for d in point.demands)
        twice = [d for d, n in demand_ids.items() if n > 1]
        if twice:
            raise FieldProblem(
                f"points[{index}].demands",
                f"point {point.number} names demand #{twice[0]} twice: one stance per demand",
            )


def _check_demands(session: Session, proposal: Proposal, points: list[PointFields]) -> None:
    wanted = {d.demand_id for p in points for d in p.demands}
    if not wanted:
        return
    negotiations = dict(
        session.execute(select(Demand.id, Demand.negotiation_id).where(Demand.id.in_(wanted))).all()
    )
    for index, point in enumerate(points):
        for d in point.demands:
            where = negotiations.get(d.demand_id)
            if where is None:
                raise FieldProblem(f"points[{index}].demands", f"there is no demand #{d.demand_id}")
            if where != proposal.negotiation_id:
                raise FieldProblem(
                    f"points[{index}].demands",
                    f"demand #{d.demand_id} belongs to other talks: a point maps only to demands "
                    "of its own proposal's negotiation",
                )


def _predecessors(
    session: Session, previous: ProposalVersion | None, points: list[PointFields]
) -> dict[str, int]:
    """The previous version's point ids by number, checked against every lineage link named."""
    named = [(i, link) for i, p in enumerate(points) for link in p.predecessors]
    if not named:
        return {}
    if previous is None:
        index = named[0][0]
        raise FieldProblem(
            f"points[{index}].predecessors",
            "the first version has no version before it: its points have no predecessors",
        )
    by_number = dict(
        session.execute(
            select(ProposalPoint.number, ProposalPoint.id).where(
                ProposalPoint.version_id == previous.id
            )
        ).all()
    )
    for index, link in named:
        if link.number not in by_number:
            raise FieldProblem(
                f"points[{index}].predecessors",
                f"{previous.label!r}, the version before, has no point {link.number!r}: a "
                "predecessor must be a point of the previous version",
            )
    for index, point in enumerate(points):
        numbers = [link.number for link in point.predecessors]
        if len(set(numbers)) != len(numbers):
            raise FieldProblem(
                f"points[{index}].predecessors", "a predecessor is named twice for one point"
            )
    return by_number
