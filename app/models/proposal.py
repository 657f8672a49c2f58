"""Proposals (peace plans, memoranda…), their versions, numbered points, the demands each point
speaks to, and each point's lineage to the version before.

The database holds what it can on its own, through composite keys that carry the negotiation
(and the previous version) down the chain:

- an author takes part in the proposal's negotiation: (negotiation_id, party_id) → participation;
- a point's demand is of the point's negotiation: (demand_id, negotiation_id) → demand, and the
  point's negotiation is its version's, which is its proposal's;
- versions form one chain per proposal: a version's previous is a version of the same proposal,
  and at most one version follows each;
- a lineage link names a predecessor in the version just before the point's own:
  (predecessor_id, previous_version_id) → proposal_point (id, version_id).

The service (app/proposals/service.py) checks the same first, with a message per field.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dates import DatePrecision
from app.models.base import Base, Versioned, one_of, text_limits
from app.models.party import SLUG_MAX
from app.stances import Stance

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
NOTE_MAX = 1000
LABEL_MAX = 120
NUMBER_MAX = 16
POINT_TEXT_MAX = 2000
EXCERPT_MAX = 4000
UNIT_MAX = 40


class ProposalKind(StrEnum):
    PEACE_PLAN = "peace-plan"
    MEMORANDUM = "memorandum"
    CONDITIONS = "conditions"
    COUNTER_PROPOSAL = "counter"
    FRAMEWORK = "framework"
    CEASEFIRE_TERMS = "ceasefire"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ProposalKind.PEACE_PLAN: "peace plan",
    ProposalKind.MEMORANDUM: "memorandum",
    ProposalKind.CONDITIONS: "conditions for talks",
    ProposalKind.COUNTER_PROPOSAL: "counter-proposal",
    ProposalKind.FRAMEWORK: "framework",
    ProposalKind.CEASEFIRE_TERMS: "ceasefire terms",
}


class VersionStatus(StrEnum):
    OFFICIAL = "official"
    LEAKED = "leaked"
    REPORTED = "reported"

    @property
    def label(self) -> str:
        return "official text" if self is VersionStatus.OFFICIAL else self.value


class ChangeKind(StrEnum):
    UNCHANGED = "unchanged"
    REWORDED = "reworded"
    CHANGED = "changed"
    MERGED = "merged"
    SPLIT = "split"


class Proposal(Versioned, Base):
    """A document put on the table of one negotiation, in one or more versions."""

    __tablename__ = "proposal"
    ENTITY_TYPE = "proposal"
    # Editors write the proposals of their own negotiations only (app/revisions.check_may_write).
    NEGOTIATION_COLUMN = "negotiation_id"
    SNAPSHOT_FIELDS = (
        "negotiation_id",
        "slug",
        "title",
        "kind",
        "author_party_ids",
        "disputed_authorship",
        "description",
    )
    # Loaded again with the row after an update (app/revisions.py): the snapshot lists them.
    SNAPSHOT_RELATIONS = ("authors",)

    id: Mapped[int] = mapped_column(primary_key=True)
    negotiation_id: Mapped[int] = mapped_column(ForeignKey("negotiation.id", ondelete="RESTRICT"))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    kind: Mapped[str] = mapped_column(String(12))
    # Set (the editor's note on who is said to be behind it) when authorship is disputed; the
    # proposal then has no authors. NULL otherwise, and the proposal has one author or more.
    disputed_authorship: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")

    authors: Mapped[list[ProposalAuthor]] = relationship(
        lazy="raise",
        order_by="ProposalAuthor.position",
        primaryjoin="Proposal.id == foreign(ProposalAuthor.proposal_id)",
    )

    __table_args__ = (
        UniqueConstraint("negotiation_id", "slug"),
        # The target of the composite keys that keep versions and authors in its negotiation.
        UniqueConstraint("id", "negotiation_id"),
        *text_limits("slug", SLUG_MAX),
        CheckConstraint("slug = lower(slug)", name="slug_lowercase"),
        *text_limits("title", TITLE_MAX),
        *text_limits("description", DESCRIPTION_MAX, required=False),
        *text_limits("disputed_authorship", NOTE_MAX, required=False),
        CheckConstraint(
            "disputed_authorship IS NULL OR length(trim(disputed_authorship)) > 0",
            name="disputed_authorship_not_blank",
        ),
        one_of("kind", [k.value for k in ProposalKind]),
    )

    @property
    def kind_value(self) -> ProposalKind:
        return ProposalKind(self.kind)

    @property
    def author_party_ids(self) -> list[int]:
        return [a.party_id for a in self.authors]

    def __repr__(self) -> str:
        return f"<Proposal {self.slug}>"


class ProposalAuthor(Base):
    """A party that put the proposal forward. Part of the proposal (in its snapshot)."""

    __tablename__ = "proposal_author"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(Integer)
    negotiation_id: Mapped[int] = mapped_column(Integer)
    party_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("proposal_id", "party_id"),
        ForeignKeyConstraint(
            ["proposal_id", "negotiation_id"],
            ["proposal.id", "proposal.negotiation_id"],
            ondelete="CASCADE",
        ),
        # An author takes part in the talks the proposal is put to.
        ForeignKeyConstraint(
            ["negotiation_id", "party_id"],
            ["participation.negotiation_id", "participation.party_id"],
            ondelete="RESTRICT",
        ),
    )


class ProposalVersion(Versioned, Base):
    """One text of a proposal: a draft, the official text, a leaked copy; dated and sourced."""

    __tablename__ = "proposal_version"
    ENTITY_TYPE = "proposal_version"
    SNAPSHOT_FIELDS = (
        "proposal_id",
        "position",
        "label",
        "slug",
        "issued_on",
        "issued_on_precision",
        "status",
        "source_id",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(Integer)
    negotiation_id: Mapped[int] = mapped_column(Integer)
    # The version just before (NULL for the first): lineage links point into that one only.
    previous_id: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(LABEL_MAX))
    # The label as a URL segment: /…/versions/{slug}.
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_on_precision: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), index=True)

    __table_args__ = (
        UniqueConstraint("proposal_id", "position"),
        UniqueConstraint("proposal_id", "slug"),
        # One chain per proposal: no version has two successors.
        UniqueConstraint("previous_id"),
        UniqueConstraint("id", "negotiation_id"),
        UniqueConstraint("id", "proposal_id"),
        UniqueConstraint("id", "previous_id"),
        ForeignKeyConstraint(
            ["proposal_id", "negotiation_id"],
            ["proposal.id", "proposal.negotiation_id"],
            ondelete="RESTRICT",
            onupdate="CASCADE",
        ),
        # The previous version is one of the same proposal.
        ForeignKeyConstraint(
            ["previous_id", "proposal_id"],
            ["proposal_version.id", "proposal_version.proposal_id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint(
            "(position = 1 AND previous_id IS NULL) OR (position > 1 AND previous_id IS NOT NULL)",
            name="first_has_no_previous",
        ),
        *text_limits("label", LABEL_MAX),
        *text_limits("slug", SLUG_MAX),
        one_of("issued_on_precision", [p.value for p in DatePrecision]),
        one_of("status", [s.value for s in VersionStatus]),
    )

    @property
    def precision(self) -> DatePrecision:
        return DatePrecision(self.issued_on_precision)

    @property
    def status_value(self) -> VersionStatus:
        return VersionStatus(self.status)

    def __repr__(self) -> str:
        return f"<ProposalVersion {self.proposal_id}#{self.position} {self.label!r}>"


class ProposalPoint(Versioned, Base):
    """A numbered point of one version, with the demands it speaks to and its predecessors."""

    __tablename__ = "proposal_point"
    ENTITY_TYPE = "proposal_point"
    SNAPSHOT_FIELDS = ("version_id", "number", "text", "excerpt", "position", "demands", "lineage")

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    negotiation_id: Mapped[int] = mapped_column(Integer)
    # Always the version's previous_id (a composite key says so): the target of lineage's key.
    previous_version_id: Mapped[int | None] = mapped_column(Integer)
    # As printed: "7", "12a".
    number: Mapped[str] = mapped_column(String(NUMBER_MAX))
    text: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    demand_links: Mapped[list[PointDemand]] = relationship(
        lazy="raise", primaryjoin="ProposalPoint.id == foreign(PointDemand.point_id)"
    )
    predecessor_links: Mapped[list[PointLineage]] = relationship(
        lazy="raise", primaryjoin="ProposalPoint.id == foreign(PointLineage.point_id)"
    )

    __table_args__ = (
        UniqueConstraint("version_id", "number"),
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("id", "negotiation_id"),
        UniqueConstraint("id", "version_id"),
        UniqueConstraint("id", "previous_version_id"),
        ForeignKeyConstraint(
            ["version_id", "negotiation_id"],
            ["proposal_version.id", "proposal_version.negotiation_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        ForeignKeyConstraint(
            ["previous_version_id", "version_id"],
            ["proposal_version.previous_id", "proposal_version.id"],
            ondelete="CASCADE",
        ),
        *text_limits("number", NUMBER_MAX),
        *text_limits("text", POINT_TEXT_MAX),
        *text_limits("excerpt", EXCERPT_MAX, required=False),
    )

    @property
    def demands(self) -> list[dict[str, Any]]:
        return [
            {"demand_id": d.demand_id, "stance": d.stance, "value": d.value, "unit": d.unit}
            for d in self.demand_links
        ]

    @property
    def lineage(self) -> list[dict[str, Any]]:
        return [
            {"predecessor_id": link.predecessor_id, "change": link.change}
            for link in self.predecessor_links
        ]

    def __repr__(self) -> str:
        return f"<ProposalPoint {self.version_id}:{self.number}>"


class PointDemand(Base):
    """The stance a point takes on a demand of its negotiation, with an optional value."""

    __tablename__ = "point_demand"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(Integer)
    negotiation_id: Mapped[int] = mapped_column(Integer)
    demand_id: Mapped[int] = mapped_column(Integer, index=True)
    stance: Mapped[int] = mapped_column(SmallInteger)
    # "An army cap of 600,000": the number, and what it counts.
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(UNIT_MAX))

    __table_args__ = (
        UniqueConstraint("point_id", "demand_id"),
        ForeignKeyConstraint(
            ["point_id", "negotiation_id"],
            ["proposal_point.id", "proposal_point.negotiation_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        # The demand is one of the point's own negotiation.
        ForeignKeyConstraint(
            ["demand_id", "negotiation_id"],
            ["demand.id", "demand.negotiation_id"],
            ondelete="RESTRICT",
            onupdate="CASCADE",
        ),
        CheckConstraint(
            f"stance BETWEEN {min(Stance).value} AND {max(Stance).value}", name="stance_scale"
        ),
        CheckConstraint("unit IS NULL OR value IS NOT NULL", name="unit_needs_value"),
        *text_limits("unit", UNIT_MAX, required=False),
    )

    @property
    def stance_value(self) -> Stance:
        return Stance(self.stance)


class PointLineage(Base):
    """A point's predecessor in the previous version, and how it changed. A point merged from
    two has two links; a point split in two is the predecessor of both."""

    __tablename__ = "point_lineage"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(Integer)
    previous_version_id: Mapped[int] = mapped_column(Integer)
    predecessor_id: Mapped[int] = mapped_column(Integer, index=True)
    change: Mapped[str] = mapped_column(String(10))

    __table_args__ = (
        UniqueConstraint("point_id", "predecessor_id"),
        ForeignKeyConstraint(
            ["point_id", "previous_version_id"],
            ["proposal_point.id", "proposal_point.previous_version_id"],
            ondelete="CASCADE",
        ),
        # The predecessor is a point of the version just before the point's own.
        ForeignKeyConstraint(
            ["predecessor_id", "previous_version_id"],
            ["proposal_point.id", "proposal_point.version_id"],
            ondelete="RESTRICT",
        ),
        one_of("change", [c.value for c in ChangeKind]),
    )
