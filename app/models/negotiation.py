from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned, one_of, text_limits
from app.models.party import SLUG_MAX

TITLE_MAX = 200
DESCRIPTION_MAX = 1000


class NegotiationStatus(StrEnum):
    ACTIVE = "active"
    STALLED = "stalled"
    CONCLUDED = "concluded"


class Negotiation(Versioned, Base):
    """One set of talks: its demands are the matrix's rows, its participants the columns.

    Parties stay global (one party, one page); they take part through Participation.
    """

    __tablename__ = "negotiation"
    ENTITY_TYPE = "negotiation"
    ADMINS_ONLY = True
    SNAPSHOT_FIELDS = (
        "slug",
        "title",
        "description",
        "status",
        "status_changed_on",
        "display_order",
        # Review (issue 19): who turned review off, and when, is in the history.
        "statements_need_review",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # A line or two for the list of negotiations, not an article.
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10))
    # The day the status last changed (None: not known, e.g. rows moved in by migration 0007).
    status_changed_on: Mapped[dt.date | None] = mapped_column(Date)
    display_order: Mapped[int] = mapped_column(Integer, default=0)
    # --- review (issue 19) ---
    # On: a statement entered is a draft until a second editor publishes it. On by default, as a
    # newsroom works; the demo turns it off so its editor sees an edit at once (and says so).
    statements_need_review: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    # --- end review ---

    __table_args__ = (
        *text_limits("slug", SLUG_MAX),
        CheckConstraint("slug = lower(slug)", name="slug_lowercase"),
        *text_limits("title", TITLE_MAX),
        *text_limits("description", DESCRIPTION_MAX, required=False),
        one_of("status", [s.value for s in NegotiationStatus]),
    )

    def __repr__(self) -> str:
        return f"<Negotiation {self.slug}>"
