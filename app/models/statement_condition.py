"""An "only if" on a statement (issue 18): the stance holds only if another demand of the same
negotiation is met, optionally by a named party taking part in those talks.

Composite keys carry the statement's negotiation down to the demand and the party, so the
database itself refuses a condition on a demand of other talks or a party not taking part.
Not versioned on its own: a statement's revision snapshot carries its conditions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, text_limits

if TYPE_CHECKING:
    from app.models.statement import Statement

CONDITION_NOTE_MAX = 300
# A statement's conditions are a short list on its page and a few words in a cell.
CONDITIONS_MAX = 5


class StatementCondition(Base):
    __tablename__ = "statement_condition"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(Integer)
    negotiation_id: Mapped[int] = mapped_column(Integer)
    demand_id: Mapped[int] = mapped_column(Integer)
    party_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(CONDITION_NOTE_MAX))

    statement: Mapped[Statement] = relationship(
        lazy="raise",
        back_populates="conditions",
        foreign_keys=[statement_id],
        primaryjoin="Statement.id == StatementCondition.statement_id",
    )

    __table_args__ = (
        ForeignKeyConstraint(
            ["statement_id", "negotiation_id"],
            ["statement.id", "statement.negotiation_id"],
            ondelete="CASCADE",
            name="fk_statement_condition_statement",
        ),
        ForeignKeyConstraint(
            ["demand_id", "negotiation_id"],
            ["demand.id", "demand.negotiation_id"],
            ondelete="RESTRICT",
            name="fk_statement_condition_demand",
        ),
        # MATCH SIMPLE: with no party named, the key is not checked (any party may meet it).
        ForeignKeyConstraint(
            ["negotiation_id", "party_id"],
            ["participation.negotiation_id", "participation.party_id"],
            ondelete="RESTRICT",
            name="fk_statement_condition_participation",
        ),
        *text_limits("note", CONDITION_NOTE_MAX, required=False),
        Index("ix_statement_condition_statement_id", "statement_id"),
        Index("ix_statement_condition_demand_id", "demand_id"),
    )

    def snapshot(self) -> dict[str, Any]:
        return {"demand_id": self.demand_id, "party_id": self.party_id, "note": self.note}
