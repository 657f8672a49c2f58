"""Writes to sources, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dates import DatePrecision, is_period_start
from app.exceptions import AlreadyTaken
from app.field_types import HttpUrl, OptionalHttpUrl, Publisher, SourceTitle, StoredDate
from app.models import Action, Source, SourceKind, User
from app.revisions import add_with_revision, update_with_revision


class SourceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    title: SourceTitle
    publisher: Publisher
    published_on: StoredDate | None = None
    published_on_precision: DatePrecision | None = None
    kind: SourceKind = SourceKind.NEWS_REPORT
    # Issue 18: an archived copy, linked when the original is gone.
    archive_url: OptionalHttpUrl = None

    @model_validator(mode="after")
    def _date_and_precision_agree(self) -> SourceFields:
        if self.published_on is None:
            self.published_on_precision = None
            return self
        if self.published_on_precision is None:
            self.published_on_precision = DatePrecision.DAY
        if not is_period_start(self.published_on, self.published_on_precision):
            raise ValueError(
                f"a publication date known to the {self.published_on_precision.value} "
                "is given as the first day of that period"
            )
        return self


def source_by_url(session: Session, url: str) -> Source | None:
    return session.scalar(select(Source).where(Source.url == url))


def _values(fields: SourceFields) -> dict[str, Any]:
    return {
        "url": fields.url,
        "title": fields.title,
        "publisher": fields.publisher,
        "published_on": fields.published_on,
        "published_on_precision": (
            fields.published_on_precision.value if fields.published_on_precision else None
        ),
        "kind": fields.kind.value,
        "archive_url": fields.archive_url,
    }


def create_source(session: Session, fields: SourceFields, *, user: User) -> Source:
    source = Source(**_values(fields))
    add_with_revision(session, source, user=user)
    return source


def update_source(
    session: Session, source: Source, fields: SourceFields, *, form_version: int, user: User
) -> Source:
    other = source_by_url(session, fields.url)
    if other is not None and other.id != source.id:
        raise AlreadyTaken("url", f"source #{other.id} already has this URL; use that one")
    return update_with_revision(
        session, source, _values(fields), form_version=form_version, action=Action.EDIT, user=user
    )


def source_for(session: Session, fields: SourceFields, *, user: User) -> Source:
    """The source at this URL if we have it (pasting a known URL reuses it), else a new one."""
    return source_by_url(session, fields.url) or create_source(session, fields, user=user)
