"""Writes to user accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Action, Role, User
from app.revisions import record_revision

SYSTEM_EMAIL = "system@parley.invalid"


def system_user(session: Session) -> User:
    """The account that software-made writes (demo data, imports) are attributed to.

    Its creation is its own first revision, attributed to itself.
    """
    user = session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        user = User(
            email=SYSTEM_EMAIL,
            display_name="Parley (system)",
            password_hash=None,
            role=Role.SYSTEM.value,
            is_active=False,
            version=1,
        )
        session.add(user)
        session.flush()
        record_revision(session, user, action=Action.CREATE, user=user)
    return user
