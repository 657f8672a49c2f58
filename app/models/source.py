from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dates import DatePrecision
from app.models.base import Base, Versioned, one_of, text_limits
from app.models.link_check import SourceLinkCheck

URL_MAX = 2000
TITLE_MAX = 500
PUBLISHER_MAX = 200


class SourceKind(StrEnum):
    NEWS_REPORT = "news_report"
    OFFICIAL_TRANSCRIPT = "official_transcript"
    OFFICIAL_STATEMENT = "official_statement"
    INTERVIEW = "interview"
    SOCIAL_MEDIA_POST = "social_media_post"
    ANALYSIS = "analysis"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Source(Versioned, Base):
    """Where a statement was reported. One source backs many statements."""

    __tablename__ = "source"
    ENTITY_TYPE = "source"
    SNAPSHOT_FIELDS = (
        "url",
        "title",
        "publisher",
        "published_on",
        "published_on_precision",
        "kind",
        "archive_url",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: pasting the URL of a known source reuses it instead of creating a twin.
    url: Mapped[str] = mapped_column(String(URL_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    publisher: Mapped[str] = mapped_column(String(PUBLISHER_MAX))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    published_on_precision: Mapped[str | None] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(30))
    # An archived copy (issue 18 item 5): pages offer it when the original is gone.
    archive_url: Mapped[str | None] = mapped_column(String(URL_MAX))
    # Its last link check, if it was checked (not part of the snapshot: not an edit).
    link_check: Mapped[SourceLinkCheck | None] = relationship(lazy="raise", viewonly=True)

    __table_args__ = (
        *text_limits("url", URL_MAX),
        CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name="url_http"),
        *text_limits("title", TITLE_MAX),
        *text_limits("publisher", PUBLISHER_MAX),
        one_of("kind", [k.value for k in SourceKind]),
        *text_limits("archive_url", URL_MAX, required=False),
        CheckConstraint(
            "archive_url IS NULL OR archive_url LIKE 'http://%' OR archive_url LIKE 'https://%'",
            name="archive_url_http",
        ),
        CheckConstraint(
            "(published_on IS NULL AND published_on_precision IS NULL) OR "
            "(published_on IS NOT NULL AND published_on_precision IN "
            f"({', '.join(repr(p.value) for p in DatePrecision)}))",
            name="published_on_precision",
        ),
    )

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.url}>"
