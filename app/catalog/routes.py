"""Editor pages for parties, demands and sources: list, add, edit, history, bring back, reorder.

(Readers see these records on their own pages; everything here is under /edit.)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.guards import AdminPost, Editor, EditorPost
from app.auth.sessions import csrf_token
from app.catalog.kinds import DEMANDS, KINDS, Kind
from app.catalog.queries import record, records
from app.conflicts import MAX_VERSION, conflict_rows, form_version, merge_onto_stored
from app.db import DbSession
from app.demands.service import move_demand
from app.exceptions import (
    AlreadyTaken,
    FieldProblem,
    NotFound,
    NotYourNegotiation,
    Refusal,
    found,
)
from app.field_types import whole_number
from app.history import as_of_revision, history, revision_at, revision_of
from app.ids import RecordId
from app.models import Demand, User
from app.pages import render
from app.posted_forms import validate
from app.revisions import StaleVersion, bring_back, check_may_write
from app.sources.link_check import check_sources

router = APIRouter()

KindSlug = Annotated[
    Literal["parties", "demands", "sources", "negotiations", "participations"], Path()
]


def _kind(kind_slug: str, user: User) -> Kind:
    """The kind named in the URL, if this account may write it (negotiations and who takes
    part are the admins'); the write path refuses the same, this says so before a form."""
    kind = KINDS[kind_slug]
    if kind.admins_only and not user.writes_negotiations:
        raise NotYourNegotiation(
            f"Only admins add and change {kind.plural}. Ask an admin if one needs changing."
        )
    return kind


def _record(session: DbSession, kind: Kind, record_id: int, user: User) -> Any:
    entity = found(
        record(session, kind, record_id), f"There is no {kind.singular} number {record_id}."
    )
    # A demand of talks this editor does not edit: refused before its form is shown.
    check_may_write(session, entity, user)
    return entity


def _form_page(
    request: Request,
    session: DbSession,
    kind: Kind,
    user: User,
    *,
    values: dict[str, str],
    entity: Any = None,
    errors: dict[str, str] | None = None,
    version: int | None = None,
    conflict: list[Any] | None = None,
    status_code: int = 200,
) -> Response:
    choices = kind.choices(session, user)
    return render(
        request,
        "catalog/form.html",
        {
            "kind": kind,
            "entity": entity,
            "values": values,
            "errors": errors or {},
            "labels": kind.labels,
            "choices": choices,
            # An editor granted no negotiation has nowhere to put a demand: said, not a form.
            "no_negotiation": kind.scoped and not choices.get("negotiation_id"),
            "writes_negotiations": user.writes_negotiations,
            "version": version,
            "conflict": conflict,
            "csrf_token": csrf_token(request),
            "history": history(session, kind.entity_type, entity.id) if entity else [],
            "current_version": entity.version if entity else None,
            "bring_back_base": f"/edit/{kind.slug}/{entity.id}/bring-back/" if entity else None,
        },
        status_code=status_code,
    )


def _validated(kind: Kind, form: dict[str, str]) -> tuple[Any, dict[str, str], dict[str, str]]:
    values = {f.name: form.get(f.name, "") for f in kind.fields}
    data, errors = kind.to_input(form)
    fields, problems = validate(kind.fields_model, data, whole_form_field=kind.fields[-1].name)
    for name, message in problems.items():
        errors.setdefault(name if name in values else kind.fields[0].name, message)
    return (None if errors else fields), errors, values


@router.get("/edit", name="catalog")
def catalog(request: Request, user: Editor) -> Response:
    kinds = [k for k in KINDS.values() if user.writes_negotiations or not k.admins_only]
    return render(request, "catalog/index.html", {"kinds": kinds})


@router.get("/edit/{kind_slug}", name="catalog_list")
def list_records(
    request: Request, session: DbSession, user: Editor, kind_slug: KindSlug
) -> Response:
    kind = _kind(kind_slug, user)
    return render(
        request,
        "catalog/list.html",
        {
            "kind": kind,
            "records": records(session, kind, user),
            "csrf_token": csrf_token(request),
        },
    )


# --- evidence (issue 18 item 5): the admins' "check links" button ---
@router.post("/edit/sources/check-links", name="check_source_links")
def check_source_links(request: Request, session: DbSession, post: AdminPost) -> Response:
    """Run the link checker now (as `parley sources check`), then list the sources again.

    It runs in this request, bounded by the checker's own pool, timeouts and redirect limit;
    for a large catalogue, run the command from cron instead."""
    counts = check_sources(session, request.app.state.settings)
    summary = ", ".join(f"{n} {outcome.value}" for outcome, n in counts.items())
    return render(
        request,
        "catalog/list.html",
        {
            "kind": _kind("sources", post.user),
            "records": records(session, _kind("sources", post.user), post.user),
            "csrf_token": csrf_token(request),
            "link_check_summary": f"Checked {sum(counts.values())} source links: {summary}.",
        },
    )


# --- end evidence ---


@router.get("/edit/{kind_slug}/new", name="catalog_new")
def new_form(request: Request, session: DbSession, user: Editor, kind_slug: KindSlug) -> Response:
    kind = _kind(kind_slug, user)
    values = dict(kind.defaults)
    for name, choices in kind.choices(session, user).items():
        # A select of records starts at its first (the only negotiation, most often).
        if name not in values and choices:
            values[name] = choices[0][0]
    return _form_page(request, session, kind, user, values=values)


@router.post("/edit/{kind_slug}/new")
def create(request: Request, session: DbSession, post: EditorPost, kind_slug: KindSlug) -> Response:
    kind = _kind(kind_slug, post.user)
    fields, errors, values = _validated(kind, post.form)
    if fields is None:
        raise Refusal(
            _form_page(
                request, session, kind, post.user, values=values, errors=errors, status_code=422
            )
        )
    try:
        entity = kind.create(session, fields, user=post.user)
    except FieldProblem as taken:
        raise Refusal(
            _form_page(
                request,
                session,
                kind,
                post.user,
                values=values,
                errors={taken.field: taken.message},
                status_code=422,
            )
        ) from None
    return RedirectResponse(f"/edit/{kind.slug}/{entity.id}?saved=1", status_code=303)


@router.get("/edit/{kind_slug}/{record_id:digits}", name="catalog_edit")
def edit_form(
    request: Request, session: DbSession, user: Editor, kind_slug: KindSlug, record_id: RecordId
) -> Response:
    kind = _kind(kind_slug, user)
    entity = _record(session, kind, record_id, user)
    return _form_page(
        request,
        session,
        kind,
        user,
        values=kind.to_form(entity),
        entity=entity,
        version=entity.version,
    )


@router.post("/edit/{kind_slug}/{record_id:digits}")
def edit(
    request: Request,
    session: DbSession,
    post: EditorPost,
    kind_slug: KindSlug,
    record_id: RecordId,
) -> Response:
    kind = _kind(kind_slug, post.user)
    entity = _record(session, kind, record_id, post.user)
    version = form_version(request, post.form)
    fields, errors, values = _validated(kind, post.form)
    if fields is None:
        raise Refusal(
            _form_page(
                request,
                session,
                kind,
                post.user,
                values=values,
                entity=entity,
                errors=errors,
                version=version,
                status_code=422,
            )
        )
    try:
        kind.update(session, entity, fields, form_version=version, user=post.user)
    except FieldProblem as taken:
        raise Refusal(
            _form_page(
                request,
                session,
                kind,
                post.user,
                values=values,
                entity=entity,
                errors={taken.field: taken.message},
                version=version,
                status_code=422,
            )
        ) from None
    except StaleVersion as stale:
        current = stale.current
        stored = kind.to_form(current)
        base = as_of_revision(
            kind.model, revision_at(session, kind.entity_type, record_id, version)
        )
        merged, both = merge_onto_stored(kind.to_form(base) if base else None, stored, values)
        raise Refusal(
            _form_page(
                request,
                session,
                kind,
                post.user,
                values=merged,
                entity=current,
                # Saving again applies this editor's changes on top of the stored version.
                version=current.version,
                conflict=conflict_rows(kind.labels, stored, values, both_changed=both),
                status_code=409,
            )
        ) from None
    return RedirectResponse(f"/edit/{kind.slug}/{record_id}?saved=1", status_code=303)


@router.post("/edit/{kind_slug}/{record_id}/bring-back/{revision_id}")
def bring_back_record(
    request: Request,
    session: DbSession,
    post: EditorPost,
    kind_slug: KindSlug,
    record_id: RecordId,
    revision_id: RecordId,
) -> Response:
    kind = _kind(kind_slug, post.user)
    entity = _record(session, kind, record_id, post.user)
    revision = found(
        revision_of(session, kind.entity_type, record_id, revision_id),
        f"This {kind.singular} has no revision number {revision_id}.",
    )
    version = form_version(request, post.form)
    try:
        bring_back(session, entity, revision, form_version=version, user=post.user)
    except (StaleVersion, AlreadyTaken) as problem:
        message = (
            f"Someone changed this {kind.singular} since you opened it (it is now at version "
            f"{problem.current.version}). Nothing was changed; look at the history again."
            if isinstance(problem, StaleVersion)
            else problem.message
        )
        raise Refusal(
            render(
                request,
                "errors/error.html",
                {"status": 409, "message": message, "title": "Not brought back"},
                status_code=409,
            )
        ) from None
    return RedirectResponse(f"/edit/{kind.slug}/{record_id}?saved=1#history", status_code=303)


@router.post("/edit/demands/{record_id}/move/{direction}", name="move_demand")
def move(
    request: Request,
    session: DbSession,
    post: EditorPost,
    record_id: RecordId,
    direction: Literal["up", "down"],
) -> Response:
    """Swap a demand with its neighbour in its negotiation's list, as the list showed them."""
    demand = found(session.get(Demand, record_id), f"There is no demand number {record_id}.")
    check_may_write(session, demand, post.user)
    demands: list[Demand] = [
        d for d in records(session, DEMANDS, post.user) if d.negotiation_id == demand.negotiation_id
    ]
    index = next((i for i, d in enumerate(demands) if d.id == record_id), None)
    if index is None:
        raise NotFound(f"There is no demand number {record_id}.")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(demands):
        raw = post.form.get("versions", "")
        shown = dict(pair.split(":", 1) for pair in raw.split(",") if ":" in pair)
        try:
            mine, theirs = (
                whole_number(shown[str(demands[i].id)], low=1, high=MAX_VERSION)
                for i in (index, other)
            )
            if mine is None or theirs is None:
                raise ValueError("not a version")
            versions = (mine, theirs)
            move_demand(
                session,
                demands[index],
                demands[other],
                up=direction == "up",
                versions=versions,
                user=post.user,
            )
        except (KeyError, ValueError, StaleVersion):
            raise Refusal(
                render(
                    request,
                    "errors/error.html",
                    {
                        "status": 409,
                        "title": "The list has changed",
                        "message": "Someone changed these demands since the list was loaded. "
                        "Nothing was moved; reload the list and try again.",
                    },
                    status_code=409,
                )
            ) from None
    return RedirectResponse(f"/edit/demands#demand-{record_id}", status_code=303)
