"""The JSON shapes of `/api/negotiations/{slug}/proposals…`, beside the API's shared ones
(app/api/schemas.py: dates, stances, parties, demands, sources), which they reuse.

Builders turn query results into these; they never query.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas import DateValue, DemandRef, PartyRef, Schema, SourceOut, StanceValue
from app.links import Link
from app.models import ChangeKind, ProposalKind, ProposalVersion, VersionStatus
from app.proposals.queries import PointView, ProposalLine, ProposalPage, VersionLine
from app.reactions import Reaction


class VersionOut(Schema):
    id: int = Field(description="Database id.", examples=[1])
    slug: str = Field(description="The label as a URL segment.", examples=["28-point-draft"])
    label: str = Field(description="The version's label.", examples=["28-point draft"])
    position: int = Field(description="Its place among the proposal's versions, from 1.", ge=1)
    issued: DateValue = Field(description="When this text was put forward, leaked or reported.")
    status: VersionStatus = Field(
        description="official (the text itself), leaked or reported.", examples=["leaked"]
    )
    points: int = Field(description="How many points it has.", examples=[28])
    source: SourceOut = Field(description="Where this text comes from.")
    url: str = Field(description="The version's page.")

    @classmethod
    def of(
        cls, line: VersionLine, negotiation_slug: str, proposal_slug: str, link: Link
    ) -> VersionOut:
        version: ProposalVersion = line.version
        return cls(
            id=version.id,
            slug=version.slug,
            label=version.label,
            position=version.position,
            issued=DateValue.of(version.issued_on, version.issued_on_precision),
            status=VersionStatus(version.status),
            points=line.points,
            source=SourceOut.of(line.source, link),
            url=link(
                "proposal_version",
                negotiation=negotiation_slug,
                slug=proposal_slug,
                version=version.slug,
            ),
        )


class ProposalOut(Schema):
    id: int = Field(description="Database id.", examples=[1])
    slug: str = Field(description="Unique within its negotiation.", examples=["us-28-point-plan"])
    title: str = Field(description="The proposal's name.", examples=["U.S. 28-point plan"])
    kind: ProposalKind = Field(
        description="peace-plan, memorandum, conditions (for talks), counter (a "
        "counter-proposal), framework or ceasefire (terms).",
        examples=["peace-plan"],
    )
    authors: list[PartyRef] = Field(description="The parties that put it forward, if known.")
    disputed_authorship: str | None = Field(
        description="When authorship is disputed, the note saying so (authors is then empty).",
        examples=[None],
    )
    description: str = Field(description="A line or two about it.", examples=[""])
    version: int = Field(description="Edit version of the record; each edit adds one.")
    url: str = Field(description="The proposal's page.")
    api_url: str = Field(description="This proposal in the API.")


def proposal_out(
    line: ProposalLine | ProposalPage, negotiation_slug: str, link: Link
) -> dict[str, Any]:
    """The fields every proposal record has, for the records that extend ProposalOut."""
    proposal = line.proposal
    return ProposalOut(
        id=proposal.id,
        slug=proposal.slug,
        title=proposal.title,
        kind=ProposalKind(proposal.kind),
        authors=[PartyRef.of(p, link) for p in line.authors],
        disputed_authorship=proposal.disputed_authorship,
        description=proposal.description,
        version=proposal.version,
        url=link("proposal", negotiation=negotiation_slug, slug=proposal.slug),
        api_url=link("api_proposal", slug=negotiation_slug, proposal=proposal.slug),
    ).model_dump()


class ProposalSummary(ProposalOut):
    latest: VersionOut | None = Field(description="Its latest version, if one is entered.")
    versions: int = Field(description="How many versions it has.", examples=[3])


class ProposalList(Schema):
    items: list[ProposalSummary] = Field(
        description="The negotiation's proposals, newest latest version first."
    )


class PointStanceOut(Schema):
    demand: DemandRef = Field(description="A demand of the same negotiation.")
    stance: StanceValue = Field(description="The stance the point takes on it.")
    value: float | None = Field(
        description="A number the point sets on this demand, if any.", examples=[600000]
    )
    unit: str | None = Field(description="What the value counts.", examples=["troops"])


class LineageOut(Schema):
    number: str = Field(description="The predecessor's number in the previous version.")
    change: ChangeKind = Field(
        description="unchanged, reworded, changed, merged or split.", examples=["reworded"]
    )


class ReactionOut(Schema):
    """A published statement that answers the version or one of its points."""

    statement: int = Field(description="The statement's id.", examples=[412])
    party: PartyRef = Field(description="Who answered.")
    stance: StanceValue | None = Field(
        description="Its stance on its own demand; null for an answer off the scale."
    )
    off_scale: str | None = Field(
        description="declined or ambiguous, when the answer is off the scale.", examples=[None]
    )
    stated: DateValue = Field(description="When it was said.")
    summary: str = Field(description="In the editor's words.")
    url: str = Field(description="The statement's page.")
    api_url: str = Field(description="The statement in the API.")

    @classmethod
    def of(cls, reaction: Reaction, link: Link) -> ReactionOut:
        return cls(
            statement=reaction.statement_id,
            party=PartyRef.of(reaction.party, link),
            stance=None if reaction.stance is None else StanceValue.of(reaction.stance),
            off_scale=None if reaction.off_scale is None else reaction.off_scale.value,
            stated=DateValue.of(reaction.stated_on, reaction.stated_on_precision),
            summary=reaction.summary,
            url=link("statement", statement_id=reaction.statement_id),
            api_url=link("api_statement", statement_id=reaction.statement_id),
        )


class PointOut(Schema):
    id: int = Field(description="Database id.")
    number: str = Field(description="As printed.", examples=["12a"])
    text: str = Field(description="The point in the editor's words.")
    excerpt: str | None = Field(description="Verbatim words of the text, if quoted.")
    demands: list[PointStanceOut] = Field(description="The demands it speaks to.")
    predecessors: list[LineageOut] = Field(
        description="Its predecessors in the previous version (empty: new, or the first)."
    )
    reactions: list[ReactionOut] = Field(
        description="Published statements answering this point, as of the date asked, oldest first."
    )

    @classmethod
    def of(
        cls, view: PointView, talks: str, link: Link, reactions: list[Reaction] | None = None
    ) -> PointOut:
        """`talks`: the slug of the proposal's negotiation (its points' demands are its)."""
        return cls(
            id=view.point.id,
            number=view.point.number,
            text=view.point.text,
            excerpt=view.point.excerpt,
            demands=[
                PointStanceOut(
                    demand=DemandRef.of(d.demand, link, talks),
                    stance=StanceValue.of(d.stance),
                    value=d.value,
                    unit=d.unit,
                )
                for d in view.demands
            ],
            predecessors=[LineageOut(number=p.number, change=p.change) for p in view.predecessors],
            reactions=[ReactionOut.of(r, link) for r in reactions or []],
        )


class DroppedOut(Schema):
    number: str = Field(description="The point's number in the previous version.")
    text: str = Field(description="The point in the editor's words.")


class ProposalDetail(ProposalOut):
    versions: list[VersionOut] = Field(description="Every version, in order.")
    shown: VersionOut | None = Field(description="The version whose points follow (the latest).")
    points: list[PointOut] = Field(description="The shown version's points, in order.")
    dropped: list[DroppedOut] = Field(
        description="Points of the version before that no point of the shown one continues."
    )
    reactions: list[ReactionOut] = Field(
        description="Published statements answering the shown version as a whole (each "
        "point lists its own), as of the date asked."
    )


class TermOut(Schema):
    stance: StanceValue
    value: float | None = Field(description="A value the point sets, if any.", examples=[600000])
    unit: str | None = Field(description="What the value counts.", examples=["troops"])


class TermChangeOut(Schema):
    demand: DemandRef
    before: TermOut | None = Field(description="What the earlier side said; null: silent.")
    after: TermOut | None = Field(description="What the later side says; null: silent.")
    change: str = Field(
        description="same, changed, now addressed or no longer addressed.", examples=["changed"]
    )


class DiffRowOut(Schema):
    kind: str = Field(
        description="unchanged, reworded, changed, merged, split, regrouped (merged and split), "
        "added or dropped.",
        examples=["merged"],
    )
    before: list[str] = Field(
        description="Point numbers in the earlier version.", examples=[["2", "3"]]
    )
    after: list[str] = Field(description="Point numbers in the later version.", examples=[["2"]])
    terms: list[TermChangeOut] = Field(description="Per demand either side speaks to.")


class VersionDiffOut(Schema):
    before: VersionOut = Field(description="The earlier version (`from`).")
    after: VersionOut = Field(description="The later version (`to`).")
    rows: list[DiffRowOut] = Field(
        description="Points side by side by lineage, in the earlier version's numbering; an "
        "added point follows the row of the point printed before it."
    )
