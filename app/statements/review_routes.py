"""Review (issue 19): an editor other than the author publishes a draft or sends it back.

Plain forms on the draft's page (they work without JS; htmx is not needed for a redirect back
to the same page). The version the reviewer read travels with the form: a draft changed since
answers 409 with its current text, so nobody publishes words they have not seen.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.guards import EditorPost
from app.conflicts import form_version
from app.db import DbSession
from app.exceptions import NotADraft, Refusal, found
from app.ids import RecordId
from app.pages import render
from app.posted_forms import validate
from app.revisions import StaleVersion, check_may_write
from app.statements.edit_routes import statement_editing_context
from app.statements.queries import neighbours, statement_with_context
from app.statements.service import ReviewFields, publish_statement, send_back_statement

router = APIRouter()


def _draft_page(
    request: Request,
    session: DbSession,
    statement_id: int,
    viewer: object,
    *,
    status_code: int,
    review_error: str | None = None,
    comment: str = "",
) -> Response:
    """The statement's page again (its current text), with what went wrong at the review."""
    statement = found(
        statement_with_context(session, statement_id),
        f"There is no statement number {statement_id}.",
    )
    return render(
        request,
        "statements/show.html",
        {
            "statement": statement,
            "negotiation": statement.demand.negotiation,
            "neighbours": neighbours(session, statement),
            "review_error": review_error,
            "review_comment_typed": comment,
            **statement_editing_context(request, session, statement, viewer),
        },
        status_code=status_code,
    )


STALE = (
    "This draft was changed after you opened it: below is its current text. Read it again, "
    "then publish or send it back."
)


@router.post("/statements/{statement_id:digits}/publish", name="publish_statement")
def publish(
    request: Request, session: DbSession, post: EditorPost, statement_id: RecordId
) -> Response:
    statement = found(
        statement_with_context(session, statement_id),
        f"There is no statement number {statement_id}.",
    )
    check_may_write(session, statement, post.user)
    version = form_version(request, post.form)
    try:
        publish_statement(session, statement, form_version=version, user=post.user)
    except NotADraft:
        return RedirectResponse(f"/statements/{statement_id}", status_code=303)
    except StaleVersion:
        raise Refusal(
            _draft_page(
                request, session, statement_id, post.user, status_code=409, review_error=STALE
            )
        ) from None
    return RedirectResponse(f"/statements/{statement_id}?published=1", status_code=303)


@router.post("/statements/{statement_id:digits}/send-back", name="send_back_statement")
def send_back(
    request: Request, session: DbSession, post: EditorPost, statement_id: RecordId
) -> Response:
    statement = found(
        statement_with_context(session, statement_id),
        f"There is no statement number {statement_id}.",
    )
    check_may_write(session, statement, post.user)
    version = form_version(request, post.form)
    comment = post.form.get("comment", "")
    fields, errors = validate(ReviewFields, {"comment": comment})
    if fields is None:
        message = "Say what the author should change: they read it on the draft."
        raise Refusal(
            _draft_page(
                request,
                session,
                statement_id,
                post.user,
                status_code=422,
                review_error=errors.get("comment", message) if comment.strip() else message,
                comment=comment,
            )
        )
    try:
        send_back_statement(session, statement, fields, form_version=version, user=post.user)
    except NotADraft:
        return RedirectResponse(f"/statements/{statement_id}", status_code=303)
    except StaleVersion:
        raise Refusal(
            _draft_page(
                request,
                session,
                statement_id,
                post.user,
                status_code=409,
                review_error=STALE,
                comment=comment,
            )
        ) from None
    return RedirectResponse(f"/statements/{statement_id}?sent_back=1", status_code=303)
