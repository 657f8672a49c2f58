"""`/talks/{negotiation}/proposals…`: the plans on the table, one plan, one version of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from app.atom import atom_response, tag_id
from app.dates import InvalidDate, date_or_today
from app.db import DbSession
from app.exceptions import BadRequest, Choice, NotFound
from app.links import absolute_url, app_path
from app.models import Negotiation, Proposal, ProposalVersion
from app.negotiations.scope import Talks
from app.pages import render
from app.plans import plan_as_of
from app.proposals.diff import align_plans, version_diff
from app.proposals.feed import newest_versions, versions_feed
from app.proposals.queries import (
    VersionLine,
    negotiation_proposals,
    proposal_by_slug,
    proposal_page,
    proposal_versions,
    version_by_ref,
)

router = APIRouter()

# Bounded like every path segment: a megabyte of slug is refused before any query.
ProposalSlug = Annotated[str, Path(description="The proposal's slug.", max_length=100)]
VersionRef = Annotated[
    str, Path(description="The version's label slug, or its id.", max_length=100)
]
VersionParam = Annotated[
    str | None, Query(description="A version's label slug, or its id.", max_length=100)
]


@router.get("/talks/{negotiation}/proposals", name="proposals")
def list_proposals(request: Request, session: DbSession, negotiation: Talks) -> Response:
    lines = negotiation_proposals(session, negotiation.id)
    return render(request, "proposals/index.html", {"negotiation": negotiation, "lines": lines})


def _proposal(
    request: Request, session: DbSession, negotiation: Negotiation, slug: str
) -> Proposal:
    proposal = proposal_by_slug(session, negotiation.id, slug)
    if proposal is None:
        raise NotFound(
            f"{negotiation.title} have no proposal “{slug}”.",
            choices=[
                Choice(
                    line.proposal.title,
                    str(
                        app_path(
                            request.app,
                            "proposal",
                            negotiation=negotiation.slug,
                            slug=line.proposal.slug,
                        )
                    ),
                )
                for line in negotiation_proposals(session, negotiation.id)
            ],
        )
    return proposal


@router.get("/talks/{negotiation}/proposals.atom", name="proposals_feed")
def feed(request: Request, session: DbSession, negotiation: Talks) -> Response:
    """An entry for each new version of any of the negotiation's proposals."""
    settings = request.app.state.settings
    return atom_response(
        versions_feed(
            newest_versions(session, negotiation_id=negotiation.id),
            title=f"{settings.site_name}: {negotiation.title}: new proposal versions",
            # Its id, not its slug: the feed stays the same feed when the slug is renamed.
            feed_id=tag_id(settings.tag_authority, f"negotiation/{negotiation.id}/proposals"),
            self_url=absolute_url(request, "proposals_feed", negotiation=negotiation.slug),
            html_url=absolute_url(request, "proposals", negotiation=negotiation.slug),
            version_url=_version_url(request, negotiation),
            site_name=settings.site_name,
            authority=settings.tag_authority,
        )
    )


@router.get("/talks/{negotiation}/proposals/{slug}/feed.atom", name="proposal_versions_feed")
def proposal_feed(
    request: Request, session: DbSession, negotiation: Talks, slug: ProposalSlug
) -> Response:
    """One proposal's versions, newest first: each new text, and each corrected one."""
    proposal = _proposal(request, session, negotiation, slug)
    settings = request.app.state.settings
    params = {"negotiation": negotiation.slug, "slug": proposal.slug}
    return atom_response(
        versions_feed(
            newest_versions(session, negotiation_id=negotiation.id, proposal_id=proposal.id),
            title=f"{settings.site_name}: {proposal.title}, its versions",
            feed_id=tag_id(settings.tag_authority, f"proposal/{proposal.id}/versions"),
            self_url=absolute_url(request, "proposal_versions_feed", **params),
            html_url=absolute_url(request, "proposal", **params),
            version_url=_version_url(request, negotiation),
            site_name=settings.site_name,
            authority=settings.tag_authority,
        )
    )


def _version_url(
    request: Request, negotiation: Negotiation
) -> Callable[[Proposal, ProposalVersion], str]:
    return lambda proposal, version: absolute_url(
        request,
        "proposal_version",
        negotiation=negotiation.slug,
        slug=proposal.slug,
        version=version.slug,
    )


PlanParam = Annotated[str | None, Query(description="A proposal's slug.", max_length=100)]


# Before `/proposals/{slug}`, which would take "compare" for a proposal's slug.
@router.get("/talks/{negotiation}/proposals/compare", name="proposals_compare")
def compare_plans(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    a: PlanParam = None,
    b: PlanParam = None,
    as_of: str | None = None,
) -> Response:
    """Two plans aligned by demand, each at its latest version as of the date, in the first
    plan's numbering."""
    lines = negotiation_proposals(session, negotiation.id)
    context: dict[str, object] = {
        "negotiation": negotiation,
        "lines": lines,
        "form": {"a": a or "", "b": b or "", "as_of": as_of or ""},
        "alignment": None,
    }
    # The date first: a bad one is refused whether or not the plans are picked yet.
    try:
        as_of_date = date_or_today(as_of)
    except InvalidDate as problem:
        raise BadRequest.parameter("as_of", str(problem)) from problem
    if not a and not b:
        return render(request, "proposals/compare_plans.html", context)
    if not a or not b:
        raise BadRequest.parameter("b" if a else "a", "Pick two proposals to compare.")
    if a == b:
        raise BadRequest.parameter("b", "Pick two different proposals to compare.")
    first = plan_as_of(session, negotiation.id, a, as_of_date, parameter="a")
    second = plan_as_of(session, negotiation.id, b, as_of_date, parameter="b")
    context["alignment"] = align_plans(session, first, second, as_of_date)
    return render(request, "proposals/compare_plans.html", context)


def _page_date(as_of: str | None) -> dt.date:
    try:
        return date_or_today(as_of)
    except InvalidDate as problem:
        raise BadRequest.parameter("as_of", str(problem)) from problem


# The reactions shown are those stated on or before it (today by default).
AsOfParam = Annotated[str | None, Query(description="Reactions as of this date (YYYY-MM-DD).")]


@router.get("/talks/{negotiation}/proposals/{slug}", name="proposal")
def show_proposal(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: ProposalSlug,
    as_of: AsOfParam = None,
) -> Response:
    as_of_date = _page_date(as_of)
    proposal = _proposal(request, session, negotiation, slug)
    versions = proposal_versions(session, proposal)
    page = proposal_page(
        session, proposal, versions, versions[-1] if versions else None, as_of_date
    )
    context = {"negotiation": negotiation, "page": page, "as_of": as_of_date, "dated": bool(as_of)}
    return render(request, "proposals/show.html", context)


@router.get("/talks/{negotiation}/proposals/{slug}/versions/{version}", name="proposal_version")
def show_version(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: ProposalSlug,
    version: VersionRef,
    as_of: AsOfParam = None,
) -> Response:
    as_of_date = _page_date(as_of)
    proposal = _proposal(request, session, negotiation, slug)
    versions = proposal_versions(session, proposal)
    shown = version_by_ref(versions, version)
    if shown is None:
        raise NotFound(
            f"“{proposal.title}” has no version “{version}”.",
            choices=[_choice(request, negotiation, proposal, line) for line in versions],
        )
    if shown.version.slug != version:
        # By id: one URL per view, the label's.
        path = _version_path(request, negotiation, proposal, shown)
        if as_of:
            path += f"?as_of={as_of_date.isoformat()}"
        return RedirectResponse(path, status_code=301)
    page = proposal_page(session, proposal, versions, shown, as_of_date)
    context = {
        "negotiation": negotiation,
        "page": page,
        "on_version_page": True,
        "as_of": as_of_date,
        "dated": bool(as_of),
    }
    return render(request, "proposals/show.html", context)


def _version_path(
    request: Request, negotiation: Negotiation, proposal: Proposal, line: VersionLine
) -> str:
    return str(
        app_path(
            request.app,
            "proposal_version",
            negotiation=negotiation.slug,
            slug=proposal.slug,
            version=line.version.slug,
        )
    )


def _choice(
    request: Request, negotiation: Negotiation, proposal: Proposal, line: VersionLine
) -> Choice:
    return Choice(line.version.label, _version_path(request, negotiation, proposal, line))


@router.get("/talks/{negotiation}/proposals/{slug}/compare", name="proposal_compare")
def compare_versions(
    request: Request,
    session: DbSession,
    negotiation: Talks,
    slug: ProposalSlug,
    from_: Annotated[
        str | None,
        Query(alias="from", description="The earlier version (slug or id).", max_length=100),
    ] = None,
    to: VersionParam = None,
) -> Response:
    """Two versions side by side by lineage. Without `from` and `to`: the latest against the
    one before it."""
    proposal = _proposal(request, session, negotiation, slug)
    versions = proposal_versions(session, proposal)
    if len(versions) < 2:
        raise BadRequest(
            f"“{proposal.title}” has only {len(versions)} version entered: "
            "there is nothing to compare it with yet."
        )
    before = _version_param(request, negotiation, proposal, versions, "from", from_, versions[-2])
    after = _version_param(request, negotiation, proposal, versions, "to", to, versions[-1])
    if before.version.position == after.version.position:
        raise BadRequest.parameter("to", "Pick two different versions to compare.")
    if before.version.position > after.version.position:
        raise BadRequest.parameter(
            "from",
            f"“{before.version.label}” comes after “{after.version.label}”: "
            "put the earlier version in from and the later in to.",
        )
    diff = version_diff(session, versions, before, after)
    context = {"negotiation": negotiation, "proposal": proposal, "versions": versions, "diff": diff}
    return render(request, "proposals/compare_versions.html", context)


def _version_param(
    request: Request,
    negotiation: Negotiation,
    proposal: Proposal,
    versions: list[VersionLine],
    name: str,
    ref: str | None,
    default: VersionLine,
) -> VersionLine:
    if ref is None or not ref.strip():
        return default
    line = version_by_ref(versions, ref.strip())
    if line is None:
        raise NotFound(
            f"“{proposal.title}” has no version “{ref[:64]}” (the {name} parameter).",
            choices=[_choice(request, negotiation, proposal, line) for line in versions],
        )
    return line
