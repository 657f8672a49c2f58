"""The statement form's source picker (htmx): known sources as an editor types a URL, and the
source fields filled from the one they pick, or emptied to name a new one.

Under /edit/sources/ beside the catalog's source pages; the catalog's ids are `:digits` in the
path (app/ids.py), so neither router's order matters.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.guards import Editor
from app.db import DbSession
from app.exceptions import found
from app.ids import RecordId
from app.models import Source, SourceKind
from app.pages import render
from app.statements.forms import LABELS, source_values
from app.statements.queries import source_suggestions

router = APIRouter()


@router.get("/edit/sources/suggest", name="source_suggestions")
def suggest_sources(
    request: Request, session: DbSession, user: Editor, source_url: str = ""
) -> Response:
    """htmx: known sources matching what is typed in Source URL."""
    return render(
        request,
        "statements/_source_suggestions.html",
        {"sources": source_suggestions(session, source_url[:500]), "typed": source_url[:500]},
    )


@router.get("/edit/sources/pick/{source_id}", name="pick_source")
def pick_source(
    request: Request, session: DbSession, user: Editor, source_id: RecordId
) -> Response:
    """htmx: the source fields filled in from a known source the editor picked."""
    source = found(session.get(Source, source_id), f"There is no source number {source_id}.")
    return render(
        request,
        "statements/_source_fields.html",
        {
            "values": source_values(source),
            "errors": {},
            "labels": LABELS,
            "picked": source,
            "source_kinds": [(k.value, k.label) for k in SourceKind],
        },
    )


@router.get("/edit/sources/blank", name="blank_source")
def blank_source(request: Request, user: Editor) -> Response:
    """htmx: empty source fields, to name a new source instead of the known one shown."""
    return render(
        request,
        "statements/_source_fields.html",
        {
            "values": {"source_kind": SourceKind.NEWS_REPORT.value},
            "errors": {},
            "labels": LABELS,
            "picked": None,
            "source_kinds": [(k.value, k.label) for k in SourceKind],
        },
    )
