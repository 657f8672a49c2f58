"""A plan of the test's own: a proposal in new talks, with demands, authors and a source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.dates import DatePrecision
from app.models import (
    ChangeKind,
    Demand,
    Negotiation,
    Party,
    Proposal,
    ProposalKind,
    ProposalVersion,
    Source,
    VersionStatus,
)
from app.proposals.service import (
    LineageFields,
    PointDemandFields,
    PointFields,
    ProposalFields,
    VersionFields,
    add_version,
    create_proposal,
)
from app.stances import Stance
from app.users.service import system_user
from tests.factories import (
    make_demand,
    make_negotiation,
    make_participation,
    make_party,
    make_source,
)


@dataclass
class Talks:
    negotiation: Negotiation
    mediator: Party
    outsider: Party
    demands: list[Demand]
    source: Source


def make_talks(session: Session, *, demands: int = 3) -> Talks:
    negotiation = make_negotiation(session)
    mediator = make_party(session)
    make_participation(session, party=mediator, negotiation=negotiation)
    return Talks(
        negotiation=negotiation,
        mediator=mediator,
        outsider=make_party(session),
        demands=[make_demand(session, negotiation=negotiation) for _ in range(demands)],
        source=make_source(session),
    )


def make_proposal(session: Session, talks: Talks, **overrides: object) -> Proposal:
    values: dict[str, object] = {
        "slug": "plan",
        "title": "The mediator's plan",
        "kind": ProposalKind.PEACE_PLAN,
        "author_party_ids": [talks.mediator.id],
    }
    values.update(overrides)
    return create_proposal(
        session, talks.negotiation, ProposalFields(**values), user=system_user(session)
    )


def points(
    talks: Talks, count: int, *, lineage: bool = False, prefix: str = ""
) -> list[PointFields]:
    """`count` points numbered 1…count, each on a demand in turn, with a value on the first."""
    return [
        PointFields(
            number=str(n),
            text=f"{prefix}Point {n} in the editor's words.",
            demands=[
                PointDemandFields(
                    demand_id=talks.demands[n % len(talks.demands)].id,
                    stance=Stance.INSISTS,
                    value=600_000 if n == 1 else None,
                    unit="troops" if n == 1 else None,
                )
            ],
            predecessors=[LineageFields(number=str(n), change=ChangeKind.UNCHANGED)]
            if lineage
            else [],
        )
        for n in range(1, count + 1)
    ]


def make_version(
    session: Session,
    talks: Talks,
    proposal: Proposal,
    label: str,
    point_fields: list[PointFields],
    *,
    issued_on: dt.date = dt.date(2025, 11, 20),
) -> ProposalVersion:
    return add_version(
        session,
        proposal,
        VersionFields(
            label=label,
            issued_on=issued_on,
            issued_on_precision=DatePrecision.DAY,
            status=VersionStatus.LEAKED,
            source_id=talks.source.id,
            points=point_fields,
        ),
        user=system_user(session),
    )
