"""The revision log: every accepted write appends one revision, in the write's own transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

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


def revision_page(
    session: Session, entity_type: str, entity_id: int, before: int | None, size: int
) -> tuple[list[Revision], int | None]:
    """A record's revisions newest first, `size` at a time, and the id the next page starts
    before (None on the last page). Keyset on the revision id: one probe of the unique
    (entity_type, entity_id, version) index per page, and rows never repeat between pages."""
    query = (
        select(Revision)
        .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
        .order_by(Revision.id.desc())
        .limit(size + 1)
        # Only the author's display name is shown; the user row never leaves this module whole.
        .options(joinedload(Revision.user))
    )
    if before is not None:
        query = query.where(Revision.id < before)
    rows = list(session.scalars(query))
    shown = rows[:size]
    return shown, (shown[-1].id if len(rows) > size and shown else None)
