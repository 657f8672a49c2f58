from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, one_of

DETAIL_MAX = 300


class LinkOutcome(StrEnum):
    OK = "ok"
    # The server answered that the page is gone (4xx/5xx) or the redirects never ended.
    BROKEN = "broken"
    # Not fetched: the address is private, loopback, link-local or otherwise not public.
    REFUSED = "refused"
    # No answer: timeout, DNS failure, TLS or connection error.
    ERROR = "error"


class SourceLinkCheck(Base):
    """The last check of a source's URL (app/sources/link_check.py).

    Not Versioned and not written through the write path: a check is an observation, not an
    edit, so it makes no revision and leaves source.version alone (migration 0014 says why).
    """

    __tablename__ = "source_link_check"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(10))
    status_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(DETAIL_MAX))
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        one_of("outcome", [o.value for o in LinkOutcome]),
        CheckConstraint(f"length(detail) <= {DETAIL_MAX}", name="detail_max_length"),
    )

    @property
    def is_broken(self) -> bool:
        return self.outcome == LinkOutcome.BROKEN
