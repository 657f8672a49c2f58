"""Editor pages for proposals: add one, change its details, add a version by pasting its list.

Under /talks/{negotiation}/proposals/… beside the reader pages; registered before them so that
"new" is never read as a proposal's slug (and no proposal may take that slug).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value
from starlette.responses import Response

from app.auth.guards import Editor, EditorPost
from app.auth.sessions import csrf_token
from app.conflicts import form_version
from app.db import DbSession
from app.exceptions import FieldProblem, NotFound, Refusal
from app.links import app_path
from app.models import (
    ChangeKind,
    Negotiation,
    Proposal,
    ProposalAuthor,
    ProposalKind,
    VersionStatus,
)
from app.models.revision import Action
from app.negotiations.queries import negotiation_parties
from app.negotiations.scope import Talks
from app.pages import render
from app.posted_forms import validate
from app.proposal_editor.forms import (
    DEMANDS_PER_POINT,
    LABELS,
    apply_button,
    form_field_of,
    read_rows,
    shown_slots,
    slot_field,
    version_fields,
)
from app.proposal_editor.queries import (
    demand_choices,
    latest_version,
    recent_sources,
    rows_from_version,
)
from app.proposals.queries import proposal_by_slug
from app.proposals.routes import ProposalSlug
from app.proposals.service import ProposalFields, add_version, create_proposal
from app.revisions import (
    StaleVersion,
    check_edits_negotiation,
    check_may_write,
    update_with_revision,
)
from app.slugs import slugify
from app.sources.service import source_by_url
from app.stances import SCALE

router = APIRouter()

PROPOSAL_LABELS = {
    "title": "Title",
    "slug": "Slug",
    "kind": "Kind",
    "author_party_ids": "Put forward by",
    "disputed_authorship": "Authorship disputed",
    "description": "Description",
}
# Reader URLs under /proposals/ that a proposal's slug must not shadow.
RESERVED_SLUGS = {"new", "compare"}


def _proposal(session: DbSession, negotiation: Negotiation, slug: str) -> Proposal:
    proposal = proposal_by_slug(session, negotiation.id, slug)
    if proposal is None:
        raise NotFound(f"{negotiation.title} have no proposal “{slug}”.")
    # Its snapshot (written with each revision) lists the authors: read them now, in one query.
    authors = session.scalars(
        select(ProposalAuthor)
        .where(ProposalAuthor.proposal_id == proposal.id)
        .order_by(ProposalAuthor.position)
    ).all()
    set_committed_value(proposal, "authors", list(authors))
    return proposal


# -- the proposal ---------------------------------------------------------------------------


def _proposal_page(
    request: Request,
    session: DbSession,
    negotiation: Negotiation,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    proposal: Proposal | None = None,
    version: int | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "proposal_editor/proposal_form.html",
        {
            "negotiation": negotiation,
            "proposal": proposal,
            "values": values,
            "errors": errors or {},
            "labels": PROPOSAL_LABELS,
            "version": version,
            "csrf_token": csrf_token(request),
            "kinds": [(k.value, k.label) for k in ProposalKind],
            "parties": [(str(p.id), p.name) for p in negotiation_parties(session, negotiation.id)],
        },
        status_code=status_code,
    )


def _proposal_input(form: dict[str, str], parties: list[str]) -> dict[str, Any]:
    chosen = [int(p) for p in parties if form.get(f"author_{p}")]
    return {
        "slug": form.get("slug", "").strip(),
        "title": form.get("title", ""),
        "kind": form.get("kind", ""),
        "author_party_ids": chosen,
        "disputed_authorship": form.get("disputed_authorship", ""),
        "description": form.get("description", ""),
    }


def _typed_proposal(form: dict[str, str]) -> dict[str, Any]:
    return {k: v for k, v in form.items() if k not in {"csrf_token", "version"}}


@router.get("/talks/{negotiation}/proposals/new", name="new_proposal")
def new_proposal_form(
    request: Request, session: DbSession, negotiation: Talks, user: Editor
) -> Response:
    check_edits_negotiation(session, user, negotiation.id)
    values = {"kind": ProposalKind.PEACE_PLAN.value}
    return _proposal_page(request, session, negotiation, values=values)


@router.post("/talks/{negotiation}/proposals/new")
def add_proposal(
    request: Request, session: DbSession, negotiation: Talks, post: EditorPost
) -> Response:
    check_edits_negotiation(session, post.user, negotiation.id)
    parties = [str(p.id) for p in negotiation_parties(session, negotiation.id)]
    data = _proposal_input(post.form, parties)
    if not data["slug"] and data["title"].strip():
        data["slug"] = slugify(data["title"], fallback="proposal")[:64]
    fields, errors = validate(ProposalFields, data)
    if fields is not None and fields.slug in RESERVED_SLUGS:
        errors = {"slug": f"“{fields.slug}” names a page of its own: choose another."}
        fields = None
    if fields is not None:
        try:
            proposal = create_proposal(session, negotiation, fields, user=post.user)
        except FieldProblem as problem:
            errors = {problem.field: problem.message.capitalize() + "."}
        else:
            path = app_path(
                request.app, "proposal", negotiation=negotiation.slug, slug=proposal.slug
            )
            return RedirectResponse(f"{path}?saved=1", status_code=303)
    raise Refusal(
        _proposal_page(
            request,
            session,
            negotiation,
            values=_typed_proposal(post.form),
            errors=errors,
            status_code=422,
        )
    )


def _proposal_values(proposal: Proposal) -> dict[str, Any]:
    values: dict[str, Any] = {
        "slug": proposal.slug,
        "title": proposal.title,
        "kind": proposal.kind,
        "disputed_authorship": proposal.disputed_authorship or "",
        "description": proposal.description,
    }
    return values


@router.get("/talks/{negotiation}/proposals/{slug}/edit", name="edit_proposal")
def edit_proposal_form(
    request: Request, session: DbSession, negotiation: Talks, slug: ProposalSlug, user: Editor
) -> Response:
    proposal = _proposal(session, negotiation, slug)
    check_may_write(session, proposal, user)
    return _proposal_page(
        request,
        session,
        negotiation,
        values=_proposal_values(proposal),
        proposal=proposal,
        version=proposal.version,
    )


@router.post("/talks/{negotiation}/proposals/{slug}/edit")
def edit_proposal(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: ProposalSlug,
    post: EditorPost,
) -> Response:
    proposal = _proposal(session, negotiation, slug)
    check_may_write(session, proposal, post.user)
    version = form_version(request, post.form)
    # Its slug (the URL) and its authors stay as entered: the details alone change here.
    data = {
        "slug": proposal.slug,
        "title": post.form.get("title", ""),
        "kind": post.form.get("kind", ""),
        "author_party_ids": [],
        "disputed_authorship": "",
        "description": post.form.get("description", ""),
    }
    fields, errors = validate(ProposalFields, data)
    typed = {**_typed_proposal(post.form), "slug": proposal.slug}
    if fields is None:
        raise Refusal(
            _proposal_page(
                request,
                session,
                negotiation,
                values=typed,
                errors=errors,
                proposal=proposal,
                version=version,
                status_code=422,
            )
        )
    values = {
        "title": fields.title,
        "kind": fields.kind.value,
        "description": fields.description or "",
    }
    try:
        update_with_revision(
            session, proposal, values, form_version=version, action=Action.EDIT, user=post.user
        )
    except StaleVersion as stale:
        raise Refusal(
            _proposal_page(
                request,
                session,
                negotiation,
                values=typed,
                errors={
                    "title": "Someone saved this proposal while you were editing it: what is "
                    "stored now is on its page; saving this form again puts yours on top."
                },
                proposal=proposal,
                version=stale.current.version,
                status_code=409,
            )
        ) from None
    path = app_path(request.app, "proposal", negotiation=negotiation.slug, slug=proposal.slug)
    return RedirectResponse(f"{path}?saved=1", status_code=303)


# -- a version --------------------------------------------------------------------------------


def _version_page(
    request: Request,
    session: DbSession,
    negotiation: Negotiation,
    proposal: Proposal,
    *,
    values: dict[str, str],
    rows: list[dict[str, str]],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    previous = latest_version(session, proposal.id)
    return render(
        request,
        "proposal_editor/version_form.html",
        {
            "negotiation": negotiation,
            "proposal": proposal,
            "previous": previous,
            "values": values,
            "rows": rows,
            "errors": errors or {},
            "labels": LABELS,
            "csrf_token": csrf_token(request),
            "demands": demand_choices(session, negotiation.id),
            # Several demands per point (app/proposal_editor/forms.py).
            "shown_slots": shown_slots,
            "slot_field": slot_field,
            "demands_per_point": DEMANDS_PER_POINT,
            "stances": [(str(s.value), f"{s.label} ({s.signed})") for s in SCALE],
            "changes": [(c.value, c.value) for c in ChangeKind],
            "statuses": [(s.value, s.label) for s in VersionStatus],
            "sources": recent_sources(session),
        },
        status_code=status_code,
    )


@router.get("/talks/{negotiation}/proposals/{slug}/versions/new", name="new_version")
def new_version_form(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: ProposalSlug,
    user: Editor,
    start: str = "",
) -> Response:
    proposal = _proposal(session, negotiation, slug)
    check_may_write(session, proposal, user)
    previous = latest_version(session, proposal.id)
    rows = rows_from_version(session, previous) if start == "previous" and previous else []
    values = {"status": VersionStatus.OFFICIAL.value}
    return _version_page(request, session, negotiation, proposal, values=values, rows=rows)


@router.post("/talks/{negotiation}/proposals/{slug}/versions/new")
def post_version(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: ProposalSlug,
    post: EditorPost,
) -> Response:
    proposal = _proposal(session, negotiation, slug)
    check_may_write(session, proposal, post.user)
    form = post.form
    values = {name: form.get(name, "") for name in ("label", "issued_on", "status", "source_url")}
    values["paste"] = form.get("paste", "")
    rows = read_rows(form)
    action = form.get("do", "save")[:20]

    def again(errors: dict[str, str], status_code: int = 200) -> Response:
        return _version_page(
            request,
            session,
            negotiation,
            proposal,
            values=values,
            rows=rows,
            errors=errors,
            status_code=status_code,
        )

    if action == "previous":
        previous = latest_version(session, proposal.id)
        if previous is not None:
            rows = rows_from_version(session, previous)
        return again({})
    if action != "save":
        try:
            rows = apply_button(action, rows, values["paste"])
        except FieldProblem as problem:
            return again({"paste": problem.message.capitalize() + "."}, 422)
        return again({})
    errors: dict[str, str] = {}
    source_id = None
    url = values["source_url"].strip()
    if not url:
        errors["source_url"] = (
            "A version needs its source: paste the address of the text or report."
        )
    else:
        source = source_by_url(session, url[:2000])
        if source is None:
            errors["source_url"] = (
                "No source is known at this address: pick one of the known sources, or add "
                "the source first (Manage → Sources)."
            )
        else:
            source_id = source.id
    fields, problems = version_fields(values, rows, source_id=source_id)
    errors.update(problems)
    if errors or fields is None:
        raise Refusal(again(errors, 422))
    try:
        version = add_version(session, proposal, fields, user=post.user)
    except FieldProblem as problem:
        message = problem.message.capitalize() + "."
        raise Refusal(again({form_field_of(problem): message}, 422)) from None
    path = app_path(
        request.app,
        "proposal_version",
        negotiation=negotiation.slug,
        slug=proposal.slug,
        version=version.slug,
    )
    return RedirectResponse(f"{path}?saved=1", status_code=303)
