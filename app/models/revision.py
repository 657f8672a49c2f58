from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONDocument, UTCDateTime, one_of, text_limits, utcnow
from app.models.user import User

REASON_MAX = 1000
ENTITY_TYPES = (
    "party",
    "demand",
    "source",
    "statement",
    "user",
    "negotiation",
    "participation",
    "proposal",
    "proposal_version",
    "proposal_point",
)


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    RETRACT = "retract"
    RESTORE = "restore"
    REVERT = "revert"
    # Review (issue 19): a draft made public by a second editor, or sent back with a comment.
    PUBLISH = "publish"
    SEND_BACK = "send_back"


class Revision(Base):
    """One accepted write to one record: append-only, never updated or deleted.

    The snapshot is the whole record after the write, so any version can be shown, compared or
    brought back without replaying the ones before it.
    """

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (
        # The database refuses a second revision of one version, even if the code is bypassed.
        UniqueConstraint("entity_type", "entity_id", "version"),
        one_of("entity_type", ENTITY_TYPES),
        one_of("action", [a.value for a in Action]),
        *text_limits("reason", REASON_MAX, required=False),
        Index("ix_revision_created_at", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<Revision {self.entity_type}:{self.entity_id} v{self.version} {self.action}>"
