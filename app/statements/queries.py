"""Reads of statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select, tuple_
from sqlalchemy.orm import Session, joinedload

from app.models import Statement


def statement_with_context(session: Session, statement_id: int) -> Statement | None:
    """The statement with everything its page shows, in one query."""
    return session.scalar(
        select(Statement)
        .where(Statement.id == statement_id)
        .options(
            joinedload(Statement.party),
            joinedload(Statement.demand),
            joinedload(Statement.source),
            joinedload(Statement.created_by),
        )
    )


@dataclass(frozen=True)
class Neighbours:
    """The party's statements just before and after one, on the same demand."""

    previous: Statement | None
    next: Statement | None


def neighbours(session: Session, statement: Statement) -> Neighbours:
    """Previous and next by (stated_on, id), two probes of ix_statement_position.

    Retracted statements are skipped, as they are in positions: "previous" is the position this
    statement replaced.
    """
    here = tuple_(Statement.stated_on, Statement.id)
    mine = tuple_(literal(statement.stated_on), literal(statement.id))
    same_line = (
        select(Statement)
        .where(
            Statement.party_id == statement.party_id,
            Statement.demand_id == statement.demand_id,
            Statement.retracted_at.is_(None),
        )
        .limit(1)
    )
    previous = session.scalar(
        same_line.where(here < mine).order_by(Statement.stated_on.desc(), Statement.id.desc())
    )
    following = session.scalar(
        same_line.where(here > mine).order_by(Statement.stated_on, Statement.id)
    )
    return Neighbours(previous=previous, next=following)
