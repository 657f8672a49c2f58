"""The revision log: every accepted write appends one revision, in the write's own transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Action, Revision, User
from app.models.base import Versioned, utcnow


def record_revision(
    session: Session,
    entity: Versioned,
    *,
    action: Action,
    user: User,
    reason: str | None = None,
) -> Revision:
    """Append the entity's current state as a revision. Call after the row itself is written."""
    revision = Revision(
        entity_type=entity.ENTITY_TYPE,
        entity_id=entity.id,
        version=entity.version,
        action=action.value,
        snapshot=entity.snapshot(),
        reason=reason,
        user_id=user.id,
        created_at=utcnow(),
    )
    session.add(revision)
    session.flush()
    # Tells app.caching that this commit changes the data version.
    session.info["wrote_revisions"] = True
    return revision


def add_with_revision(session: Session, entity: Versioned, *, user: User) -> None:
    """Insert a new row at version 1 and log its creation."""
    entity.version = 1
    session.add(entity)
    session.flush()
    record_revision(session, entity, action=Action.CREATE, user=user)
