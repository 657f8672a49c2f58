"""A plan beside the parties: the stance a proposal's latest version as of a date takes on each
demand, and how far each party's position stands from it (the gap rule of app/stances.py).

Shared by the matrix, the compare and the demand pages (`?with={proposal}`), so it lives in the
core: features do not import each other. Two queries whatever the number of points: the
proposal with its latest version as of the date, then that version's points on demands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exceptions import BadRequest
from app.models import PointDemand, Proposal, ProposalPoint, ProposalVersion
from app.stances import Stance, gap

PLAN_SLUG_MAX = 100


@dataclass(frozen=True)
class PlanTerm:
    """What the plan says on one demand: the first of its points (in order) that speaks to it."""

    number: str
    position: int
    stance: Stance
    value: float | None
    unit: str | None


@dataclass(frozen=True)
class Plan:
    proposal: Proposal
    version: ProposalVersion
    # By demand id; a demand the plan is silent on is absent.
    terms: dict[int, PlanTerm]

    def term(self, demand_id: int) -> PlanTerm | None:
        return self.terms.get(demand_id)

    def gap(self, demand_id: int, stance: Stance | int | None) -> int | None:
        """A party's distance from the plan on one demand; None where either is silent."""
        term = self.terms.get(demand_id)
        return gap(stance, term.stance if term else None)


def plan_as_of(
    session: Session, negotiation_id: int, slug: str, as_of: dt.date, *, parameter: str = "with"
) -> Plan:
    """The proposal `slug` of the negotiation at its latest version issued by `as_of`.

    BadRequest (naming `with`) when there is no such proposal or it had no version by then: the
    page cannot show what was asked, and says why."""
    if len(slug) > PLAN_SLUG_MAX:
        raise BadRequest.parameter(parameter, "That is not a proposal's name: it is too long.")
    row = session.execute(
        select(Proposal, ProposalVersion)
        .outerjoin(
            ProposalVersion,
            (ProposalVersion.proposal_id == Proposal.id) & (ProposalVersion.issued_on <= as_of),
        )
        .where(Proposal.negotiation_id == negotiation_id, Proposal.slug == slug)
        .order_by(ProposalVersion.position.desc())
        .limit(1)
    ).first()
    if row is None:
        raise BadRequest.parameter(
            parameter,
            f"These talks have no proposal “{slug[:64]}”: pick one from the proposals list.",
        )
    proposal, version = row
    if version is None:
        raise BadRequest.parameter(
            parameter,
            f"“{proposal.title}” had no version by {as_of.isoformat()}: pick a later date.",
        )
    terms: dict[int, PlanTerm] = {}
    for number, position, link in session.execute(
        select(ProposalPoint.number, ProposalPoint.position, PointDemand)
        .join(PointDemand, PointDemand.point_id == ProposalPoint.id)
        .where(ProposalPoint.version_id == version.id)
        .order_by(ProposalPoint.position)
    ).all():
        terms.setdefault(
            link.demand_id, PlanTerm(number, position, Stance(link.stance), link.value, link.unit)
        )
    return Plan(proposal, version, terms)
