"""`/statements/{id}`: one statement, its source and quote."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.guards import CurrentUser
from app.db import DbSession
from app.exceptions import Choice, found
from app.ids import RecordId
from app.links import app_path
from app.models import Statement, User
from app.pages import render
from app.positions import conditions_of
from app.reactions import answered_by
from app.statements.edit_routes import statement_editing_context
from app.statements.queries import (
    neighbours,
    offer_of,
    statement_credit,
    statement_with_context,
    visible_statement,
)

router = APIRouter()


@router.get("/statements/{statement_id:digits}", name="statement")
def show_statement(
    request: Request,
    session: DbSession,
    statement_id: RecordId,
    viewer: CurrentUser,
) -> Response:
    statement = found(
        visible_statement(statement_with_context(session, statement_id), viewer),
        f"There is no statement number {statement_id}.",
        index=Choice(
            "Browse every statement in the timeline", app_path(request.app, "old_timeline")
        ),
    )
    return statement_page(request, session, statement, viewer)


def statement_page(
    request: Request,
    session: Session,
    statement: Statement,
    viewer: User | None,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    """The statement's page; the review forms render it again with `extra` (what went wrong)."""
    return render(
        request,
        "statements/show.html",
        {
            "statement": statement,
            # Its talks: the breadcrumb, the links and the talks' row of the navigation.
            "negotiation": statement.demand.negotiation,
            "neighbours": neighbours(session, statement),
            "conditions": conditions_of(session, [statement.id]).get(statement.id, []),
            "offer": offer_of(session, statement),
            "answered": answered_by(session, statement),
            "credit": statement_credit(session, statement),
            **statement_editing_context(request, session, statement, viewer),
            **extra,
        },
        status_code=status_code,
    )
