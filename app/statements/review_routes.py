"""Review (issue 19): an editor other than the author publishes a draft or sends it back.

Plain forms on the draft's page (they work without JS; htmx is not needed for a redirect back
to the same page). The version the reviewer read travels with the form: a draft changed since
answers 409 with its current text, so nobody publishes words they have not seen.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.guards import Editor, EditorPost
from app.auth.sessions import USER_ID, csrf_token
from app.conflicts import form_version
from app.db import DbSession
from app.exceptions import NotADraft, Refusal, found
from app.ids import RecordId
from app.models import Statement, User
from app.pages import render, wants_fragment
from app.posted_forms import validate
from app.revisions import StaleVersion, check_may_write
from app.statements.queries import (
    REVIEW_QUEUE_MAX,
    review_count,
    review_queue,
    statement_with_context,
)
from app.statements.routes import statement_page
from app.statements.service import ReviewFields, publish_statement, send_back_statement

router = APIRouter()


def waiting_count(request: Request) -> int | None:
    """The header's "Review (n)": drafts waiting for this editor, in the request's own session
    (None where the page has none, e.g. the outage page after the database went away)."""
    user_id = request.session.get(USER_ID) if "session" in request.scope else None
    session = getattr(request.state, "db_session", None)
    if not isinstance(user_id, int) or session is None:
        return None
    # A database error propagates: on a page it is the page's outage (503), and the outage page
    # itself has no session to read with (app/errors.py).
    return review_count(session, user_id)


STALE = (
    "This draft was changed after you opened it: below is its current text. Read it again, "
    "then publish or send it back."
)


def _draft(session: DbSession, statement_id: int) -> Statement:
    return found(
        statement_with_context(session, statement_id),
        f"There is no statement number {statement_id}.",
    )


def _draft_page(
    request: Request,
    session: DbSession,
    statement_id: int,
    viewer: User,
    *,
    status_code: int,
    review_error: str,
    comment: str = "",
) -> Refusal:
    """The statement's page again (its current text), with what went wrong at the review."""
    return Refusal(
        statement_page(
            request,
            session,
            _draft(session, statement_id),
            viewer,
            status_code=status_code,
            review_error=review_error,
            review_comment_typed=comment,
        )
    )


def _reviewable(
    request: Request, session: DbSession, post: EditorPost, statement_id: int
) -> tuple[Statement, int]:
    """The draft, once the reviewer may write it, and the version they read (the form's)."""
    statement = _draft(session, statement_id)
    check_may_write(session, statement, post.user)
    return statement, form_version(request, post.form)


def _from_queue(post: EditorPost) -> bool:
    """The post came from /review: answer there (in place with htmx, else back to it)."""
    return post.form.get("from") == "review"


def _queue_item(
    request: Request,
    session: DbSession,
    statement_id: int,
    *,
    status_code: int = 200,
    outcome: str | None = None,
    error: str | None = None,
    comment: str = "",
) -> Response:
    """One item of the queue as it is now: its outcome, or the draft again with `error`."""
    return render(
        request,
        "statements/_review_item.html",
        {
            "statement": _draft(session, statement_id),
            "outcome": outcome,
            "item_error": error,
            "comment_typed": comment,
            "csrf_token": csrf_token(request),
        },
        status_code=status_code,
    )


OUTCOMES = {
    "published": "Published: readers see it now.",
    "sent_back": "Sent back to its author with your comment.",
}


def _reviewed(
    request: Request,
    session: DbSession,
    post: EditorPost,
    statement_id: int,
    act: Callable[[], object],
    *,
    done: str,
    comment: str = "",
) -> Response:
    """Run `act` (publish or send back): back to the draft's page (or the queue), marked
    `done`; a draft changed since the reviewer opened it answers 409 with its current text."""
    queue = _from_queue(post)
    in_place = queue and wants_fragment(request)  # htmx in the queue: swap the item alone
    try:
        act()
    except NotADraft:
        if in_place:
            return _queue_item(
                request, session, statement_id, outcome="Published already (by someone else)."
            )
        return RedirectResponse(f"/statements/{statement_id}", status_code=303)
    except StaleVersion:
        if in_place:
            raise Refusal(
                _queue_item(
                    request, session, statement_id, status_code=409, error=STALE, comment=comment
                )
            ) from None
        raise _draft_page(
            request,
            session,
            statement_id,
            post.user,
            status_code=409,
            review_error=STALE,
            comment=comment,
        ) from None
    if in_place:
        return _queue_item(request, session, statement_id, outcome=OUTCOMES[done])
    if queue:
        return RedirectResponse("/review?saved=1", status_code=303)
    return RedirectResponse(f"/statements/{statement_id}?{done}=1", status_code=303)


@router.get("/review", name="review_queue")
def review(request: Request, session: DbSession, user: Editor) -> Response:
    """The drafts this editor may review. A plain (no-script) review comes back here with
    `?saved=1`, which every page shows as "Saved."."""
    return render(
        request,
        "statements/review.html",
        {
            "drafts": review_queue(session, user),
            "limit": REVIEW_QUEUE_MAX,
            "csrf_token": csrf_token(request),
        },
    )


@router.post("/statements/{statement_id:digits}/publish", name="publish_statement")
def publish(
    request: Request, session: DbSession, post: EditorPost, statement_id: RecordId
) -> Response:
    statement, version = _reviewable(request, session, post, statement_id)
    return _reviewed(
        request,
        session,
        post,
        statement_id,
        lambda: publish_statement(session, statement, form_version=version, user=post.user),
        done="published",
    )


@router.post("/statements/{statement_id:digits}/send-back", name="send_back_statement")
def send_back(
    request: Request, session: DbSession, post: EditorPost, statement_id: RecordId
) -> Response:
    statement, version = _reviewable(request, session, post, statement_id)
    comment = post.form.get("comment", "")
    fields, errors = validate(ReviewFields, {"comment": comment})
    if fields is None:
        message = "Say what the author should change: they read it on the draft."
        shown = errors.get("comment", message) if comment.strip() else message
        if _from_queue(post) and wants_fragment(request):
            raise Refusal(
                _queue_item(
                    request, session, statement_id, status_code=422, error=shown, comment=comment
                )
            )
        raise _draft_page(
            request,
            session,
            statement_id,
            post.user,
            status_code=422,
            review_error=errors.get("comment", message) if comment.strip() else message,
            comment=comment,
        )
    return _reviewed(
        request,
        session,
        post,
        statement_id,
        lambda: send_back_statement(
            session, statement, fields, form_version=version, user=post.user
        ),
        done="sent_back",
        comment=comment,
    )
