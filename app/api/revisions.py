"""`/api/{entity}/{id}/revisions`: one record's edit history, shared by every feature's API."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from app.api.params import id_cursor, next_link
from app.api.schemas import RevisionList, RevisionOut
from app.revisions import revision_page


def revision_list(
    request: Request,
    session: Session,
    entity_type: str,
    entity_id: int,
    cursor: str | None,
    limit: int,
) -> RevisionList:
    revisions, next_before = revision_page(
        session, entity_type, entity_id, id_cursor(cursor), limit
    )
    return RevisionList(
        items=[RevisionOut.of(revision) for revision in revisions],
        next=next_link(request, next_before),
    )
