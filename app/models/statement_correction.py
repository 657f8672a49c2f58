"""A public correction of a published statement (issue 19): what changed, why, who, when.

Append-only, like the revision it belongs to (one edit revision, one correction). A row of its
own rather than columns on `revision`: /corrections and its feed walk corrections alone, newest
first (its primary key's range), and the statement page lists a statement's corrections: each
one index range over this small table, not a partial index on the log of every write.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, text_limits, utcnow
from app.models.user import User

if TYPE_CHECKING:
    from app.models.statement import Statement

NOTE_MAX = 1000
FIELDS_MAX = 200


class StatementCorrection(Base):
    __tablename__ = "statement_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id", ondelete="RESTRICT"))
    # The edit that made it: its snapshot is the statement as corrected.
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revision.id", ondelete="RESTRICT"), unique=True
    )
    # The statement's negotiation when corrected, for a negotiation's list.
    negotiation_id: Mapped[int] = mapped_column(Integer)
    # What readers read: "the date was 2 June, not 12 June".
    note: Mapped[str] = mapped_column(Text)
    # Which of the announced fields changed, comma-separated column names ("stance,stated_on").
    fields: Mapped[str] = mapped_column(String(FIELDS_MAX))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
    statement: Mapped[Statement] = relationship(lazy="raise")

    __table_args__ = (
        *text_limits("note", NOTE_MAX),
        # A statement's corrections in order (its page, the credit line).
        Index("ix_statement_correction_statement", "statement_id", "id"),
    )

    @property
    def field_names(self) -> list[str]:
        return [name for name in self.fields.split(",") if name]
