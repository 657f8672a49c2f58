"""`/api/sources…`: sources newest first (keyset pages), one by id, and its revisions."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from app.api.params import DEFAULT_LIMIT, Cursor, Limit, RecordId, api_router, id_cursor, next_link
from app.api.revisions import revision_list
from app.api.schemas import RevisionList, SourceList, SourceWithCheck
from app.db import DbSession
from app.exceptions import found
from app.links import Links
from app.models import Source
from app.sources.queries import source_by_id, sources_before

router = api_router("sources")


@router.get("/api/sources", name="api_sources")
def list_sources(
    request: Request,
    session: DbSession,
    link: Links,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> SourceList:
    """Sources, newest first (by id); follow `next` for more."""
    sources, next_before = sources_before(session, id_cursor(cursor), limit)
    return SourceList(
        items=[SourceWithCheck.checked(source, link) for source in sources],
        next=next_link(request, next_before),
    )


def _source(session: Session, source_id: int) -> Source:
    return found(source_by_id(session, source_id), f"There is no source number {source_id}.")


@router.get("/api/sources/{source_id}", name="api_source")
def show_source(session: DbSession, source_id: RecordId, link: Links) -> SourceWithCheck:
    """One source, by its id, with the last check of its link."""
    return SourceWithCheck.checked(_source(session, source_id), link)


@router.get("/api/sources/{source_id}/revisions", name="api_source_revisions")
def source_revisions(
    request: Request,
    session: DbSession,
    source_id: RecordId,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> RevisionList:
    """Every accepted change to the source, newest first."""
    source = _source(session, source_id)
    return revision_list(request, session, Source.ENTITY_TYPE, source.id, cursor, limit)
