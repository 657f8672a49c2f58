from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned, text_limits
from app.models.party import DESCRIPTION_MAX, SLUG_MAX

TITLE_MAX = 300


class Demand(Versioned, Base):
    """A term on the table, phrased as a proposition a party can back or reject."""

    __tablename__ = "demand"
    ENTITY_TYPE = "demand"
    SNAPSHOT_FIELDS = ("slug", "title", "description", "display_order")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    display_order: Mapped[int] = mapped_column(Integer, default=0, index=True)

    __table_args__ = (
        *text_limits("slug", SLUG_MAX),
        CheckConstraint("slug = lower(slug)", name="slug_lowercase"),
        *text_limits("title", TITLE_MAX),
        *text_limits("description", DESCRIPTION_MAX, required=False),
    )

    def __repr__(self) -> str:
        return f"<Demand {self.slug}>"
