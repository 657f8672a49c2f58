from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Versioned, text_limits
from app.models.negotiation import Negotiation
from app.models.party import DESCRIPTION_MAX, SLUG_MAX

TITLE_MAX = 300


class Demand(Versioned, Base):
    """A term on the table of one negotiation, phrased as a proposition a party can back or
    reject."""

    __tablename__ = "demand"
    ENTITY_TYPE = "demand"
    NEGOTIATION_COLUMN = "negotiation_id"
    SNAPSHOT_FIELDS = ("negotiation_id", "slug", "title", "description", "display_order")

    id: Mapped[int] = mapped_column(primary_key=True)
    negotiation_id: Mapped[int] = mapped_column(ForeignKey("negotiation.id", ondelete="RESTRICT"))
    # Unique within its negotiation only: two talks may each have a "ceasefire".
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    display_order: Mapped[int] = mapped_column(Integer, default=0, index=True)

    negotiation: Mapped[Negotiation] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("negotiation_id", "slug"),
        # The target of statement's (demand_id, negotiation_id) key, which keeps a statement's
        # negotiation equal to its demand's (so its party can be checked against participation).
        UniqueConstraint("id", "negotiation_id"),
        *text_limits("slug", SLUG_MAX),
        CheckConstraint("slug = lower(slug)", name="slug_lowercase"),
        *text_limits("title", TITLE_MAX),
        *text_limits("description", DESCRIPTION_MAX, required=False),
    )

    def __repr__(self) -> str:
        return f"<Demand {self.slug}>"
