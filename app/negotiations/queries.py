"""Reads of negotiations and who takes part in them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from app.models import Demand, Negotiation, Participation, Party, Statement, User


def ordered_negotiations(session: Session) -> list[Negotiation]:
    return list(
        session.scalars(select(Negotiation).order_by(Negotiation.display_order, Negotiation.id))
    )


def participants(session: Session, negotiation_ids: list[int]) -> dict[int, list[Participation]]:
    """Each negotiation's participations with their parties, in display order: one query."""
    found: dict[int, list[Participation]] = defaultdict(list)
    if not negotiation_ids:
        return found
    rows = session.scalars(
        select(Participation)
        .where(Participation.negotiation_id.in_(negotiation_ids))
        .order_by(Participation.display_order, Participation.id)
        .options(joinedload(Participation.party))
    )
    for participation in rows:
        found[participation.negotiation_id].append(participation)
    return found


def negotiation_demands(session: Session, negotiation_id: int) -> list[Demand]:
    return list(
        session.scalars(
            select(Demand)
            .where(Demand.negotiation_id == negotiation_id)
            .order_by(Demand.display_order, Demand.id)
        )
    )


def negotiation_parties(session: Session, negotiation_id: int) -> list[Party]:
    """The parties taking part, in the order the editors set (the matrix's columns)."""
    return list(
        session.scalars(
            select(Party)
            .join(Participation, Participation.party_id == Party.id)
            .where(Participation.negotiation_id == negotiation_id)
            .order_by(Participation.display_order, Party.name)
        )
    )


def negotiations_of_party(session: Session, slug: str) -> tuple[Party, list[Negotiation]] | None:
    """The party with `slug` and the negotiations it takes part in, in display order (None when
    no party has that slug)."""
    party = session.scalar(select(Party).where(Party.slug == slug))
    if party is None:
        return None
    taking_part = session.scalars(
        select(Negotiation)
        .join(Participation, Participation.negotiation_id == Negotiation.id)
        .where(Participation.party_id == party.id)
        .order_by(Negotiation.display_order, Negotiation.id)
    )
    return party, list(taking_part)


def oldest_demand_by_slug(session: Session, slug: str) -> Demand | None:
    """The first demand given `slug`: what a link from before negotiations meant by it (demand
    slugs are unique only within a negotiation, and the one that existed then is the oldest)."""
    return session.scalar(select(Demand).where(Demand.slug == slug).order_by(Demand.id).limit(1))


def negotiation_by_slug(session: Session, slug: str) -> Negotiation | None:
    return session.scalar(select(Negotiation).where(Negotiation.slug == slug))


def only_negotiation(session: Session) -> Negotiation | None:
    """The negotiation, when there is exactly one (so "which talks?" needs no answer)."""
    found = list(session.scalars(select(Negotiation).order_by(Negotiation.id).limit(2)))
    return found[0] if len(found) == 1 else None


def takes_part(session: Session, *, negotiation_id: int, party_id: int) -> bool:
    return (
        session.scalar(
            select(Participation.id).where(
                Participation.negotiation_id == negotiation_id,
                Participation.party_id == party_id,
            )
        )
        is not None
    )


def party_negotiations(session: Session, party_id: int, among: list[int]) -> list[int]:
    """Of the negotiations `among`, those the party takes part in: one query."""
    return list(
        session.scalars(
            select(Participation.negotiation_id)
            .where(Participation.party_id == party_id, Participation.negotiation_id.in_(among))
            .order_by(Participation.negotiation_id)
        )
    )


def editable_negotiations(session: Session, user: User) -> list[Negotiation]:
    """The negotiations `user` may write to, in display order: what editors' forms offer."""
    if user.edits_every_negotiation:
        return ordered_negotiations(session)
    return list(user.granted)


@dataclass(frozen=True)
class NegotiationState:
    """The line of state the list of negotiations shows for each."""

    negotiation: Negotiation
    participants: list[Participation]
    last_stated_on: dt.date | None
    # Statements in the window that moved their party's stance on the demand.
    recent_shifts: int


# "Shifts in the last 30 days" on the list of negotiations.
RECENT_DAYS = 30


def negotiation_states(
    session: Session, negotiations: list[Negotiation], today: dt.date
) -> list[NegotiationState]:
    """The negotiations with their participants, last statement and recent shifts: three queries.

    The last statement is one probe of ix_statement_negotiation_timeline per negotiation; the
    shifts look only at the window's statements, each compared with the one before it (one
    probe of ix_statement_position each), so neither grows with the table.
    """
    if not negotiations:
        return []
    taking_part = participants(session, [n.id for n in negotiations])
    last = (
        select(func.max(Statement.stated_on))
        .where(Statement.negotiation_id == Negotiation.id, Statement.is_public())
        .scalar_subquery()
    )
    ids = [n.id for n in negotiations]
    lasts: dict[int, dt.date | None] = {
        row[0]: row[1]
        for row in session.execute(select(Negotiation.id, last).where(Negotiation.id.in_(ids)))
    }
    shown = aliased(Statement, name="shown")
    before = aliased(Statement, name="before")
    previous = (
        select(before.stance)
        .where(
            before.party_id == shown.party_id,
            before.demand_id == shown.demand_id,
            before.retracted_at.is_(None),
            before.published_at.is_not(None),
            or_(
                before.stated_on < shown.stated_on,
                and_(before.stated_on == shown.stated_on, before.id < shown.id),
            ),
        )
        .order_by(before.stated_on.desc(), before.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    recent = (
        select(shown.negotiation_id, shown.stance.label("stance"), previous.label("previous"))
        .where(
            shown.retracted_at.is_(None),
            shown.published_at.is_not(None),
            shown.stated_on > today - dt.timedelta(days=RECENT_DAYS),
            shown.stated_on <= today,
            shown.negotiation_id.in_(ids),
        )
        .subquery("recent")
    )
    shifted = (
        select(recent.c.negotiation_id, func.count())
        .where(recent.c.previous.is_not(None), recent.c.previous != recent.c.stance)
        .group_by(recent.c.negotiation_id)
    )
    shifts: dict[int, int] = {row[0]: row[1] for row in session.execute(shifted)}
    return [
        NegotiationState(n, taking_part.get(n.id, []), lasts.get(n.id), shifts.get(n.id, 0))
        for n in negotiations
    ]
