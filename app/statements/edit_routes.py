"""Editor pages for statements: add, edit, retract, restore, bring back an earlier version."""

from __future__ import annotations

import secrets
from typing import Any, NoReturn

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.guards import Editor, EditorPost, Post
from app.auth.sessions import csrf_token
from app.conflicts import conflict_rows, form_version, merge_onto_stored
from app.dates import time_ago
from app.db import DbSession
from app.demands.service import create_demand
from app.evidence import Evidence
from app.exceptions import AlreadyRetracted, AlreadyTaken, FieldProblem, Refusal, found
from app.field_types import whole_number
from app.history import as_of_revision, history, revision_at, revision_of
from app.ids import MAX_ID, RecordId
from app.models import Demand, Source, SourceKind, Statement, User
from app.models.base import utcnow
from app.models.statement_condition import CONDITIONS_MAX
from app.negotiations.queries import editable_negotiations, party_negotiations
from app.pages import render
from app.posted_forms import validate
from app.reactions import answer_choices
from app.revisions import (
    Correction,
    StaleVersion,
    bring_back,
    check_may_write,
    values_from_snapshot,
)
from app.sources.service import source_for
from app.stances import SCALE, OffScale
from app.statements.forms import (
    LABELS,
    StatementForm,
    condition_rows,
    filled_condition_rows,
    form_values,
    nuance_open,
    parse_statement_form,
)
from app.statements.queries import form_choices, statement_for_edit
from app.statements.service import (
    AnswerProblem,
    CorrectionFields,
    CorrectionNeeded,
    LooksLikeDuplicate,
    NotTakingPart,
    NuanceProblem,
    RetractionFields,
    announced_changes,
    changed_words,
    check_correction,
    create_statement_once,
    restore_statement,
    retract_statement,
    update_statement,
)

router = APIRouter()

CORRECTION_LABELS = {"correction_note": "Correction note", "minor": "Minor edit (not announced)"}
SUBMISSION_KEY_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _form_page(
    request: Request,
    session: DbSession,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    statement: Statement | None = None,
    version: int | None = None,
    submission_key: str | None = None,
    conflict: list[Any] | None = None,
    known_source: Source | None = None,
    duplicate: dict[str, Any] | None = None,
    correction: dict[str, str] | None = None,
    status_code: int = 200,
    asked_rows: int = 0,
) -> Response:
    mine = editable_negotiations(session, _viewer(request))
    choices = form_choices(session, mine)
    rows = condition_rows(values, asked_rows)
    errors = errors or {}
    if any(name.startswith("source_") for name in errors):
        known_source = None  # show the fields, with what was typed and the message beside them
    return render(
        request,
        "statements/form.html",
        {
            "values": values,
            "errors": errors,
            "labels": {**LABELS, **CORRECTION_LABELS},
            "picked": known_source,
            "duplicate": duplicate,
            "statement": statement,
            "version": version,
            "submission_key": submission_key,
            "conflict": conflict,
            "csrf_token": csrf_token(request),
            "nuance_open": nuance_open(values, errors) or asked_rows > 0,
            # Issue 18: one row per condition, and empty ones to add to (forms.condition_rows).
            "condition_rows": rows,
            "conditions_max": CONDITIONS_MAX,
            "stances": [(str(s.value), s) for s in SCALE] + [(o.value, o) for o in OffScale],
            "source_kinds": [(k.value, k.label) for k in SourceKind],
            # evidence (issue 18 items 3-4)
            "evidence_kinds": [(e.value, e.label) for e in Evidence],
            # reactions (issue 17): the versions and points of the editor's negotiations
            "answer_choices": answer_choices(session, {n.id: n.title for n in mine}),
            # Corrections (issue 19): what was typed, shown again with the form.
            "correction": correction or {"note": "", "minor": ""},
            **choices,
        },
        status_code=status_code,
    )


def _viewer(request: Request) -> User:
    """The editor the guard let in (app/auth/guards.py keeps it on the request)."""
    user = request.state.editor
    assert isinstance(user, User)
    return user


def _refuse(
    request: Request,
    session: DbSession,
    parsed: StatementForm,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 422,
    **kwargs: Any,
) -> NoReturn:
    raise Refusal(
        _form_page(
            request,
            session,
            values=parsed.values,
            errors=parsed.errors if errors is None else errors,
            known_source=parsed.source,
            status_code=status_code,
            asked_rows=parsed.condition_rows,
            **kwargs,
        )
    )


def _another_condition(
    request: Request, session: DbSession, parsed: StatementForm, **kwargs: Any
) -> Response:
    """ "Add another condition": the form again as typed, with one more empty condition row.
    Nothing is checked or saved yet (that is the main button's job), so no error is shown."""
    # One row more than the form showed (or than it holds filled, if rows were removed).
    shown = max(parsed.condition_rows, filled_condition_rows(parsed.values))
    return _form_page(
        request,
        session,
        values=parsed.values,
        known_source=parsed.source,
        asked_rows=min(shown + 1, CONDITIONS_MAX),
        **kwargs,
    )


def _demand(
    request: Request,
    session: DbSession,
    parsed: StatementForm,
    post: Post,
    statement: Statement | None = None,
    **kw: Any,
) -> Demand:
    """The demand chosen from the list, or the one this submit adds (placed last).

    A new demand goes into the statement's negotiation: the one chosen beside it, else the
    edited statement's own, else the only one of the editor's that its party takes part in (or
    the editor's only one); when that is ambiguous the editor is asked to choose."""
    if parsed.demand is not None:
        return parsed.demand
    assert parsed.new_demand is not None
    fields = parsed.new_demand
    if fields.negotiation_id is None:
        fields = fields.model_copy(
            update={"negotiation_id": _statements_negotiation(session, parsed, post, statement)}
        )
    try:
        return create_demand(session, fields, user=post.user)
    except FieldProblem as problem:
        if problem.field == "negotiation_id":
            party = parsed.party.name if parsed.party is not None else "This party"
            field, message = (
                "new_demand_negotiation",
                f"Choose the new demand's negotiation: {party} takes part in several of "
                "yours, or in none.",
            )
        else:
            field = "new_demand_slug" if problem.field == "slug" else "new_demand_title"
            message = problem.message.capitalize() + "."
        _refuse(request, session, parsed, errors={field: message}, statement=statement, **kw)


def _statements_negotiation(
    session: DbSession, parsed: StatementForm, post: Post, statement: Statement | None
) -> int | None:
    if statement is not None:
        return statement.negotiation_id
    mine = [n.id for n in editable_negotiations(session, post.user)]
    if parsed.party is not None:
        theirs = party_negotiations(session, parsed.party.id, mine)
        if len(theirs) == 1:
            return theirs[0]
        if theirs:
            return None
    return mine[0] if len(mine) == 1 else None


def _duplicate_notice(session: DbSession, existing: Statement, viewer: User) -> dict[str, Any]:
    """What the near-duplicate warning says: which statement, when, and by whom."""
    author = session.get(User, existing.created_by_id)
    return {
        "id": existing.id,
        "when": time_ago(existing.created_at, utcnow()),
        "by": "you"
        if author is not None and author.id == viewer.id
        else (author.display_name if author else "someone"),
    }


def _source(session: DbSession, parsed: StatementForm, post: Post) -> Any:
    if parsed.source is not None:
        return parsed.source
    assert parsed.new_source is not None
    return source_for(session, parsed.new_source, user=post.user)


def planned_changes(statement: Statement, parsed: StatementForm) -> tuple[str, ...]:
    """The announced fields the submit would change, before any new demand or source exists
    (a new one is a change of that field)."""
    assert parsed.fields is not None and parsed.party is not None
    fields = parsed.fields
    planned = {
        "stance": None if fields.stance is None else int(fields.stance),
        "off_scale": None if fields.off_scale is None else fields.off_scale.value,
        "stated_on": fields.stated_on,
        "stated_on_precision": fields.stated_on_precision.value,
        "party_id": parsed.party.id,
        "demand_id": parsed.demand.id if parsed.demand is not None else None,
        "quote": fields.quote,
        "original_quote": fields.original_quote,
        "source_id": parsed.source.id if parsed.source is not None else None,
    }
    return announced_changes(statement, planned)


def _statement(session: DbSession, statement_id: int, user: User | None = None) -> Statement:
    """The statement to edit; with `user`, refused (403) unless its talks are theirs."""
    statement = found(
        statement_for_edit(session, statement_id), f"There is no statement number {statement_id}."
    )
    if user is not None:
        check_may_write(session, statement, user)
    return statement


@router.get("/statements/new", name="new_statement")
def new_statement_form(request: Request, session: DbSession, user: Editor) -> Response:
    values = {"source_kind": "news_report"}
    return _form_page(request, session, values=values, submission_key=secrets.token_urlsafe(24))


@router.post("/statements/new")
def add_statement(request: Request, session: DbSession, post: EditorPost) -> Response:
    key = post.form.get("submission_key", "")
    if not (16 <= len(key) <= 64 and set(key) <= SUBMISSION_KEY_CHARS):
        # No key, no protection against a double submit: give the form a fresh one.
        key = secrets.token_urlsafe(24)
    parsed = parse_statement_form(session, post.form)
    if post.form.get("add_condition"):
        return _another_condition(request, session, parsed, submission_key=key)
    if parsed.errors or parsed.fields is None:
        _refuse(request, session, parsed, submission_key=key)
    assert parsed.fields and parsed.party
    confirmed = post.form.get("save_anyway", "")
    try:
        statement, _created = create_statement_once(
            session,
            parsed.fields,
            party=parsed.party,
            demand=_demand(request, session, parsed, post, submission_key=key),
            source=_source(session, parsed, post),
            user=post.user,
            submission_key=key,
            # "Save anyway" names the statement the editor was shown (and no other).
            duplicate_of=whole_number(confirmed, low=1, high=MAX_ID),
            check_duplicates=True,
        )
    except NotTakingPart as problem:
        _refuse(
            request,
            session,
            parsed,
            errors={"party": problem.message + "."},
            submission_key=key,
        )
    except (NuanceProblem, AnswerProblem) as problem:
        _refuse(
            request,
            session,
            parsed,
            errors={problem.field: problem.message + "."},
            submission_key=key,
        )
    except LooksLikeDuplicate as similar:
        _refuse(
            request,
            session,
            parsed,
            errors={},
            submission_key=key,
            duplicate=_duplicate_notice(session, similar.existing, post.user),
            status_code=409,
        )
    return RedirectResponse(f"/statements/{statement.id}?saved=1", status_code=303)


@router.get("/statements/{statement_id}/edit", name="edit_statement")
def edit_statement_form(
    request: Request, session: DbSession, user: Editor, statement_id: RecordId
) -> Response:
    statement = _statement(session, statement_id, user)
    return _form_page(
        request,
        session,
        values=form_values(statement, statement.source),
        statement=statement,
        version=statement.version,
        known_source=statement.source,
    )


@router.post("/statements/{statement_id}/edit")
def edit_statement(
    request: Request, session: DbSession, post: EditorPost, statement_id: RecordId
) -> Response:
    statement = _statement(session, statement_id, post.user)
    version = form_version(request, post.form)
    parsed = parse_statement_form(session, post.form)
    typed = {"note": post.form.get("correction_note", ""), "minor": post.form.get("minor", "")}
    kw: dict[str, Any] = {"statement": statement, "version": version, "correction": typed}
    if post.form.get("add_condition"):
        return _another_condition(request, session, parsed, **kw)
    correction, problems = validate(
        CorrectionFields, {"note": typed["note"], "minor": bool(typed["minor"])}
    )
    if correction is None:
        parsed.errors["correction_note"] = (
            problems.get("note", "Check the correction note.").rstrip(".") + "."
        )
    if parsed.errors or parsed.fields is None:
        _refuse(request, session, parsed, **kw)
    assert parsed.fields and parsed.party and correction is not None
    if parsed.demand is not None:
        # Rights before anything else: a move into talks this editor does not edit is refused
        # as such (403), not asked for the correction note it would also need.
        check_may_write(
            session, statement, post.user, {"negotiation_id": parsed.demand.negotiation_id}
        )
    try:
        # Before a new demand or source is made: a refused correction stores nothing at all.
        # (A stale form goes to the conflict page first, below.)
        if version == statement.version:
            check_correction(statement, planned_changes(statement, parsed), correction)
    except CorrectionNeeded as problem:
        _refuse(request, session, parsed, errors={problem.field: problem.message}, **kw)
    demand = _demand(request, session, parsed, post, statement, version=version)
    try:
        update_statement(
            session,
            statement,
            parsed.fields,
            party=parsed.party,
            demand=demand,
            source=_source(session, parsed, post),
            form_version=version,
            user=post.user,
            correction=correction,
        )
    except NotTakingPart as problem:
        _refuse(request, session, parsed, errors={"party": problem.message + "."}, **kw)
    except (NuanceProblem, AnswerProblem) as problem:
        _refuse(request, session, parsed, errors={problem.field: problem.message + "."}, **kw)
    except CorrectionNeeded as problem:
        _refuse(request, session, parsed, errors={problem.field: problem.message}, **kw)
    except StaleVersion as stale:
        current = _statement(session, statement_id)
        choices = form_choices(session, editable_negotiations(session, post.user))
        shown = {
            "party": dict(choices["parties"]),
            "demand": dict(choices["demands"]),
            "stance": {str(s.value): f"{s.label} ({s.signed})" for s in SCALE},
            "source_kind": {k.value: k.label for k in SourceKind},
            "answers": {
                c.value: c.label
                for _group, items in answer_choices(
                    session, {n.id: n.title for n in editable_negotiations(session, post.user)}
                )
                for c in items
            },
        }
        stored = form_values(current, current.source)
        base = as_of_revision(Statement, revision_at(session, "statement", statement_id, version))
        base_values = form_values(base, session.get_one(Source, base.source_id)) if base else None
        merged, both = merge_onto_stored(base_values, stored, parsed.values)
        for row in range(1, CONDITIONS_MAX + 1):
            shown[f"condition_demand_{row}"] = shown["demand"]
            shown[f"condition_party_{row}"] = shown["party"]
        # Condition rows empty on both sides are no part of the conflict: leave them out.
        compared = {
            name: label
            for name, label in LABELS.items()
            if not name.startswith("condition_") or stored.get(name) or parsed.values.get(name)
        }
        rows = conflict_rows(compared, stored, parsed.values, shown, both)
        raise Refusal(
            _form_page(
                request,
                session,
                values=merged,
                statement=current,
                # Saving this form again applies the editor's version on top of the stored one.
                version=stale.current.version,
                conflict=rows,
                known_source=current.source,
                correction=typed,
                status_code=409,
            )
        ) from None
    return RedirectResponse(f"/statements/{statement_id}?saved=1", status_code=303)


@router.get("/statements/{statement_id}/retract", name="retract_statement")
def retract_form(
    request: Request, session: DbSession, user: Editor, statement_id: RecordId
) -> Response:
    statement = _statement(session, statement_id, user)
    return _retract_page(request, statement, reason="", version=statement.version)


def _retract_page(
    request: Request,
    statement: Statement,
    *,
    reason: str,
    version: int,
    error: str | None = None,
    stale: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "statements/retract.html",
        {
            "statement": statement,
            "values": {"reason": reason},
            "errors": {"reason": error} if error else {},
            "version": version,
            "stale": stale,
            "csrf_token": csrf_token(request),
        },
        status_code=status_code,
    )


@router.post("/statements/{statement_id}/retract")
def retract(
    request: Request, session: DbSession, post: EditorPost, statement_id: RecordId
) -> Response:
    statement = _statement(session, statement_id, post.user)
    version = form_version(request, post.form)
    reason = post.form.get("reason", "")
    fields, errors = validate(RetractionFields, {"reason": reason})
    if fields is None:
        message = errors.get("reason", "Give a reason.")
        if not reason.strip():
            message = "Say why the statement is retracted: readers will see the reason."
        raise Refusal(
            _retract_page(
                request, statement, reason=reason, version=version, error=message, status_code=422
            )
        )
    try:
        retract_statement(session, statement, fields, form_version=version, user=post.user)
    except AlreadyRetracted as problem:
        raise Refusal(
            _retract_page(
                request,
                statement,
                reason=reason,
                version=statement.version,
                error=problem.message,
                status_code=409,
            )
        ) from None
    except StaleVersion as stale:
        raise Refusal(
            _retract_page(
                request,
                _statement(session, statement_id),
                reason=reason,
                version=stale.current.version,
                stale=True,
                status_code=409,
            )
        ) from None
    return RedirectResponse(f"/statements/{statement_id}?saved=1", status_code=303)


@router.post("/statements/{statement_id}/restore", name="restore_statement")
def restore(
    request: Request, session: DbSession, post: EditorPost, statement_id: RecordId
) -> Response:
    statement = _statement(session, statement_id, post.user)
    version = form_version(request, post.form)
    if not statement.is_retracted:
        return RedirectResponse(f"/statements/{statement_id}", status_code=303)
    try:
        restore_statement(session, statement, form_version=version, user=post.user)
    except StaleVersion as stale:
        raise Refusal(
            _stale_action(
                request,
                stale,
                what="restore this statement",
                action=f"/statements/{statement_id}/restore",
                back=f"/statements/{statement_id}",
            )
        ) from None
    return RedirectResponse(f"/statements/{statement_id}?saved=1", status_code=303)


@router.post("/statements/{statement_id}/bring-back/{revision_id}", name="bring_back_statement")
def bring_back_statement(
    request: Request,
    session: DbSession,
    post: EditorPost,
    statement_id: RecordId,
    revision_id: RecordId,
) -> Response:
    statement = _statement(session, statement_id, post.user)
    revision = found(
        revision_of(session, Statement.ENTITY_TYPE, statement_id, revision_id),
        f"Statement {statement_id} has no revision number {revision_id}.",
    )
    version = form_version(request, post.form)
    # A published statement's facts brought back are a correction readers are told of; the
    # history's button carries no note, so the note says what happened.
    changes = announced_changes(statement, values_from_snapshot(Statement, revision.snapshot))
    correction = (
        Correction(
            note=f"{changed_words(changes).capitalize()} brought back to version "
            f"{revision.version}.",
            fields=changes,
        )
        if changes
        else None
    )
    try:
        bring_back(
            session,
            statement,
            revision,
            form_version=version,
            user=post.user,
            correction=correction,
        )
    except StaleVersion as stale:
        raise Refusal(
            _stale_action(
                request,
                stale,
                what=f"bring back version {revision.version}",
                action=f"/statements/{statement_id}/bring-back/{revision_id}",
                back=f"/statements/{statement_id}",
            )
        ) from None
    except AlreadyTaken as problem:
        raise Refusal(
            render(
                request,
                "errors/error.html",
                {"status": 409, "message": problem.message, "title": "Cannot bring it back"},
                status_code=409,
            )
        ) from None
    return RedirectResponse(f"/statements/{statement_id}?saved=1#history", status_code=303)


def _stale_action(
    request: Request, stale: StaleVersion, *, what: str, action: str, back: str
) -> Response:
    """409 for an action (restore, bring back) taken on a version someone else has replaced."""
    return render(
        request,
        "editing/stale_action.html",
        {
            "what": what,
            "action": action,
            "back": back,
            "current": stale.current,
            "version": stale.current.version,
            "csrf_token": csrf_token(request),
        },
        status_code=409,
    )


def statement_editing_context(
    request: Request, session: DbSession, statement: Statement, viewer: Any
) -> dict[str, Any]:
    """What /statements/{id} adds for history and editor controls (shown to editors only, and
    only to those who edit its negotiation: another's would be refused)."""
    may_edit = viewer is not None and viewer.may_edit_negotiation(statement.negotiation_id)
    return {
        "history": history(session, "statement", statement.id),
        "viewer": viewer if may_edit else None,
        # Only editors get a token: an anonymous reader's page must not set a cookie.
        "csrf_token": csrf_token(request) if viewer else None,
    }
