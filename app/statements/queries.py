"""Reads of statements."""

from __future__ import annotations

from sqlalchemy import select
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
