"""Reads of accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Role, User


def people(session: Session) -> list[User]:
    """Every account a person holds (not the system's own), admins first, with the
    negotiations each edits (one more query for all of them)."""
    return list(
        session.scalars(
            select(User)
            .where(User.role != Role.SYSTEM.value)
            .order_by(User.role, User.email)
            .options(selectinload(User.granted))
        )
    )


def person(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.role != Role.SYSTEM.value else None
