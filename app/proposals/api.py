"""`/api/negotiations/{slug}/proposals…`: a negotiation's proposals, and one with its versions,
the latest version's points, their demands and lineage."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import Path, Query, Request
from starlette.responses import StreamingResponse

from app.api.csv_export import ExportResponse, neutralise
from app.api.params import AsOf, Slug, api_router, as_of_or_today
from app.api.problems import problem
from app.api.schemas import DemandRef, StanceValue
from app.dates import iso_with_precision
from app.db import DbSession
from app.exceptions import BadRequest, found
from app.links import Links
from app.models import Negotiation, Proposal
from app.negotiations.queries import negotiation_by_slug
from app.proposals.diff import Term, version_diff
from app.proposals.queries import (
    PointStance,
    VersionLine,
    negotiation_proposals,
    proposal_by_slug,
    proposal_page,
    proposal_versions,
    version_by_ref,
)
from app.proposals.schemas import (
    DiffRowOut,
    DroppedOut,
    PointOut,
    ProposalDetail,
    ProposalList,
    ProposalSummary,
    ReactionOut,
    TermChangeOut,
    TermOut,
    VersionDiffOut,
    VersionOut,
    proposal_out,
)

router = api_router("proposals")

ProposalSlug = Annotated[
    str,
    Path(description="The proposal's slug.", max_length=100, examples=["ukraine-peace-formula"]),
]


@router.get("/api/negotiations/{slug}/proposals", name="api_proposals")
def list_proposals(session: DbSession, slug: Slug, link: Links) -> ProposalList:
    """The negotiation's proposals, each with its authors and latest version (newest first;
    a short list: not paginated)."""
    negotiation = found(negotiation_by_slug(session, slug), f"There is no negotiation {slug!r}.")
    return ProposalList(
        items=[
            ProposalSummary(
                **proposal_out(line, negotiation.slug, link),
                latest=None
                if line.latest is None
                else VersionOut.of(line.latest, negotiation.slug, line.proposal.slug, link),
                versions=line.versions,
            )
            for line in negotiation_proposals(session, negotiation.id)
        ]
    )


@router.get("/api/negotiations/{slug}/proposals/{proposal}", name="api_proposal")
def show_proposal(
    session: DbSession, slug: Slug, proposal: ProposalSlug, link: Links, as_of: AsOf = None
) -> ProposalDetail:
    """One proposal: its versions in order, the latest version's points with the demands each
    speaks to (stance, value, unit), its predecessors and the published statements answering
    it as of `as_of` (today by default), and the points it dropped."""
    day = as_of_or_today(as_of)
    negotiation = found(negotiation_by_slug(session, slug), f"There is no negotiation {slug!r}.")
    record = found(
        proposal_by_slug(session, negotiation.id, proposal),
        f"{negotiation.title} have no proposal {proposal!r}.",
    )
    versions = proposal_versions(session, record)
    page = proposal_page(session, record, versions, versions[-1] if versions else None, day)
    return ProposalDetail(
        **proposal_out(page, negotiation.slug, link),
        versions=[VersionOut.of(v, negotiation.slug, record.slug, link) for v in versions],
        shown=None
        if page.shown is None
        else VersionOut.of(page.shown, negotiation.slug, record.slug, link),
        points=[
            PointOut.of(view, negotiation.slug, link, page.reactions.of_point(view.point.id))
            for view in page.points
        ],
        dropped=[DroppedOut(number=p.number, text=p.text) for p in page.dropped],
        reactions=[ReactionOut.of(r, link) for r in page.reactions.whole],
    )


VersionQuery = Annotated[
    str | None,
    Query(description="A version's label slug or id; empty: see each.", max_length=100),
]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# Why the body is built before it is sent: a version has a bounded number of points, so the
# whole CSV is read in the route's own session and no connection is held while a slow client
# reads; ExportResponse still takes an export slot and gives up on a client that stops reading.
POINT_COLUMNS = (
    "negotiation",
    "proposal",
    "version",
    "version_label",
    "issued",
    "point",
    "position",
    "text",
    "excerpt",
    "demand",
    "stance",
    "stance_label",
    "value",
    "unit",
    "predecessors",
    "url",
)


def _record(session: DbSession, slug: str, proposal: str) -> tuple[Negotiation, Proposal]:
    negotiation = found(negotiation_by_slug(session, slug), f"There is no negotiation {slug!r}.")
    record = found(
        proposal_by_slug(session, negotiation.id, proposal),
        f"{negotiation.title} have no proposal {proposal!r}.",
    )
    return negotiation, record


def _number(value: float | None) -> str:
    """600000, not 600000.0 nor 6e+05."""
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def _version(
    versions: list[VersionLine], ref: str | None, default: VersionLine, name: str
) -> VersionLine:
    if not ref:
        return default
    line = version_by_ref(versions, ref)
    if line is None:
        raise BadRequest.parameter(name, f"{name} names no version of this proposal: {ref[:64]!r}.")
    return line


def _term(term: Term | None) -> TermOut | None:
    if term is None:
        return None
    return TermOut(stance=StanceValue.of(term.stance), value=term.value, unit=term.unit)


@router.get("/api/negotiations/{slug}/proposals/{proposal}/compare", name="api_proposal_compare")
def compare_versions(
    session: DbSession,
    slug: Slug,
    proposal: ProposalSlug,
    link: Links,
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            description="The earlier version; default the one before the latest.",
            max_length=100,
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(description="The later version; default the latest.", max_length=100),
    ] = None,
) -> VersionDiffOut:
    """Two versions of a proposal side by side by lineage (followed through the versions
    between): merged, split, reworded, changed, added and dropped points, and per demand what
    each side says, values included (the version compare page)."""
    negotiation, record = _record(session, slug, proposal)
    versions = proposal_versions(session, record)
    if len(versions) < 2:
        raise BadRequest.parameter("from", "This proposal has fewer than two versions.")
    before = _version(versions, from_, versions[-2], "from")
    after = _version(versions, to, versions[-1], "to")
    if before.version.position >= after.version.position:
        raise BadRequest.parameter("from", "from must name a version earlier than to.")
    diff = version_diff(session, versions, before, after)
    return VersionDiffOut(
        before=VersionOut.of(before, negotiation.slug, record.slug, link),
        after=VersionOut.of(after, negotiation.slug, record.slug, link),
        rows=[
            DiffRowOut(
                kind=row.kind.value,
                before=[p.number for p in row.before],
                after=[p.number for p in row.after],
                terms=[
                    TermChangeOut(
                        demand=DemandRef.of(t.demand, link, negotiation.slug),
                        before=_term(t.before),
                        after=_term(t.after),
                        change=t.word,
                    )
                    for t in row.terms
                ],
            )
            for row in diff.rows
        ],
    )


@router.get(
    "/api/negotiations/{slug}/proposals/{proposal}/points.csv",
    name="api_proposal_points_csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a header row."}},
)
def points_csv(
    request: Request,
    session: DbSession,
    slug: Slug,
    proposal: ProposalSlug,
    link: Links,
    version: VersionQuery = None,
) -> StreamingResponse:
    """One version's points as CSV (default the latest): a row per point and demand it speaks
    to (a point on no demand: one row, demand empty), with its predecessors as
    `number:change` separated by semicolons. Text cells a spreadsheet would run as a formula
    start with an apostrophe."""
    negotiation, record = _record(session, slug, proposal)
    versions = proposal_versions(session, record)
    if not versions:
        raise BadRequest.parameter("version", "This proposal has no version yet.")
    shown = _version(versions, version, versions[-1], "version")
    page = proposal_page(session, record, versions, shown, with_reactions=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(POINT_COLUMNS)
    v = shown.version
    url = link("proposal_version", negotiation=negotiation.slug, slug=record.slug, version=v.slug)
    for view in page.points:
        lineage = ";".join(f"{p.number}:{p.change.value}" for p in view.predecessors)
        common = [
            negotiation.slug,
            record.slug,
            v.slug,
            v.label,
            iso_with_precision(v.issued_on, v.issued_on_precision),
            view.point.number,
            view.point.position,
            view.point.text,
            view.point.excerpt or "",
        ]
        terms: list[PointStance | None] = list(view.demands) or [None]
        for d in terms:
            cells = (
                ["", "", "", "", ""]
                if d is None
                else [d.demand.slug, d.stance.value, d.stance.label, _number(d.value), d.unit or ""]
            )
            writer.writerow(
                [
                    neutralise(c)
                    for c in [*common, *cells, lineage, f"{url}#point-{view.point.number}"]
                ]
            )
    body = buffer.getvalue().encode()
    settings = request.app.state.settings
    return ExportResponse(
        iter([body]),
        slots=request.app.state.export_slots,
        refusal=problem(
            request,
            429,
            "Too many exports are running at the moment. Try again in a few seconds.",
            headers={"Retry-After": "5"},
        ),
        send_timeout=settings.export_send_timeout,
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f"attachment; filename=parley-{record.slug}-points.csv"},
    )
