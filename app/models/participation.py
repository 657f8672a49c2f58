from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Versioned, one_of
from app.models.negotiation import Negotiation
from app.models.party import Party


class ParticipationRole(StrEnum):
    PARTY = "party"
    MEDIATOR = "mediator"
    GUARANTOR = "guarantor"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return "party to the talks" if self is ParticipationRole.PARTY else self.value


class Participation(Versioned, Base):
    """A party taking part in a negotiation, in a role. Only participants' statements count there:
    statement (negotiation_id, party_id) is a foreign key to this table's unique pair."""

    __tablename__ = "participation"
    ENTITY_TYPE = "participation"
    NEGOTIATION_COLUMN = "negotiation_id"
    ADMINS_ONLY = True
    SNAPSHOT_FIELDS = ("negotiation_id", "party_id", "role", "display_order")

    id: Mapped[int] = mapped_column(primary_key=True)
    negotiation_id: Mapped[int] = mapped_column(ForeignKey("negotiation.id", ondelete="RESTRICT"))
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    display_order: Mapped[int] = mapped_column(Integer, default=0)

    negotiation: Mapped[Negotiation] = relationship(lazy="raise")
    party: Mapped[Party] = relationship(lazy="raise")

    __table_args__ = (
        # One role per party per negotiation; also the target of statement's composite key.
        UniqueConstraint("negotiation_id", "party_id"),
        one_of("role", [r.value for r in ParticipationRole]),
    )

    @property
    def role_label(self) -> str:
        """The role in words, for pages ("party to the talks", "mediator")."""
        return ParticipationRole(self.role).label

    def __repr__(self) -> str:
        return f"<Participation party={self.party_id} in={self.negotiation_id} {self.role}>"
