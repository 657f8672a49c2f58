from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned, one_of, text_limits

SLUG_MAX = 64
NAME_MAX = 200
SHORT_NAME_MAX = 40
DESCRIPTION_MAX = 4000


class PartyKind(StrEnum):
    STATE = "state"
    BLOC = "bloc"
    ORGANISATION = "organisation"


class Party(Versioned, Base):
    """A side or stakeholder in the negotiation."""

    __tablename__ = "party"
    ENTITY_TYPE = "party"
    SNAPSHOT_FIELDS = ("slug", "name", "short_name", "kind", "colour", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    short_name: Mapped[str] = mapped_column(String(SHORT_NAME_MAX))
    kind: Mapped[str] = mapped_column(String(20))
    # A #rrggbb accent for the party's charts; stances carry their own palette.
    colour: Mapped[str] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        *text_limits("slug", SLUG_MAX),
        CheckConstraint("slug = lower(slug)", name="slug_lowercase"),
        *text_limits("name", NAME_MAX),
        *text_limits("short_name", SHORT_NAME_MAX),
        one_of("kind", [k.value for k in PartyKind]),
        CheckConstraint("length(colour) = 7 AND colour LIKE '#%'", name="colour_hex"),
        *text_limits("description", DESCRIPTION_MAX, required=False),
    )

    def __repr__(self) -> str:
        return f"<Party {self.slug}>"
