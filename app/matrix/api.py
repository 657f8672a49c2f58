"""`/api/negotiations/{slug}/matrix` and `…/gaps`: a negotiation's positions as of a date, and
how far apart its parties stand; the old `/api/matrix` and `/api/gaps` point to them."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from app.api.params import DATE_RANGE, ApiTalks, AsOf, api_router, as_of_or_today, parse_date
from app.api.problems import MOVED_RESPONSES, moved_or_choose
from app.api.schemas import (
    CellStatement,
    DateValue,
    DemandRef,
    GapPosition,
    GapRow,
    GapsOut,
    MatrixCell,
    MatrixOut,
    MatrixPlan,
    MatrixRow,
    NegotiationRef,
    Nuance,
    OffScaleValue,
    PartyRef,
    PlanGap,
    PlanTermOut,
    RowPlan,
    StanceValue,
)
from app.dates import InvalidDate
from app.db import DbSession
from app.exceptions import BadRequest
from app.links import Links
from app.matrix.cells import KEPT_CELLS
from app.matrix.queries import Cell, Matrix, kept_headings, matrix_as_of
from app.negotiations.queries import ordered_negotiations, participants
from app.plans import Plan, plan_as_of
from app.records import RECORDED_HELP, parse_recorded
from app.stances import MAX_COMPARED, spread

router = api_router("positions")


# A Cell is a value and its MatrixCell never changes, so each is built once: building 800 of them
# (four validated models each) was most of this endpoint's time. Kept as long as HTML cells are.
@lru_cache(maxsize=KEPT_CELLS)
def _cell(cell: Cell) -> MatrixCell:
    shown = cell.statement
    return MatrixCell(
        party=cell.party.slug,
        stance=StanceValue.of(shown.stance) if shown and shown.stance is not None else None,
        nuance=Nuance(
            words=shown.reading.words(),
            off_scale=OffScaleValue.of(shown.off_scale),
            partial=shown.partial,
            scope_note=shown.scope_note,
            conditional=shown.conditional,
            alternative_to=shown.alternative_to_id or (shown.id if shown.in_offer else None),
        )
        if shown
        else None,
        statement=CellStatement(
            id=shown.id,
            stated=DateValue.of(shown.stated_on, shown.stated_on_precision),
            speaker=shown.speaker,
            summary=shown.summary,
            url=f"/statements/{shown.id}",
        )
        if shown
        else None,
        changed=cell.changed,
        previous_stance=StanceValue.of(cell.previous_stance)
        if cell.previous_stance is not None
        else None,
        reported=bool(shown and shown.reported),
    )


Since = Annotated[
    str | None,
    Query(
        description="Compare with this earlier day (YYYY-MM-DD): cells mark `changed`. "
        + DATE_RANGE,
        examples=["2024-01-01"],
    ),
]
WithPlan = Annotated[
    str | None,
    Query(
        alias="with",
        max_length=100,
        description="A proposal's slug: its latest version by `as_of` beside the parties, with "
        "each party's gap to it per demand.",
        examples=["ukraine-peace-formula"],
    ),
]
Recorded = Annotated[str | None, Query(description=RECORDED_HELP, examples=["2025-01-31"])]
ComparedParties = Annotated[
    str,
    Query(
        description=f"2 to {MAX_COMPARED} party slugs, separated by commas.",
        examples=["russia,ukraine"],
    ),
]


@router.get("/api/negotiations/{slug}/matrix", name="api_matrix")
def matrix(
    request: Request,
    session: DbSession,
    link: Links,
    negotiation: ApiTalks,
    as_of: AsOf = None,
    since: Since = None,
    with_: WithPlan = None,
    recorded: Recorded = None,
) -> MatrixOut:
    """Each participant's position on each of the negotiation's demands as of a date (its
    matrix page); with `recorded`, as the tracker showed them at the end of that day."""
    try:
        recorded_day = parse_recorded(recorded)
    except InvalidDate as problem:
        raise BadRequest.parameter("recorded", str(problem)) from None
    day = as_of_or_today(as_of) if as_of or not recorded_day else recorded_day
    since_day = parse_date(since, "since")
    if since_day is not None and since_day > day:
        raise BadRequest.parameter("since", "since must be on or before as_of.")
    headings = kept_headings(request, session, negotiation.id)
    found = matrix_as_of(session, negotiation.id, day, since_day, recorded_day, headings=headings)
    plan = plan_as_of(session, negotiation.id, with_, day) if with_ else None
    return MatrixOut(
        negotiation=NegotiationRef.of(negotiation, link),
        as_of=found.as_of,
        since=found.since,
        recorded=found.recorded,
        parties=[PartyRef.of(party, link) for party in found.parties],
        rows=[
            MatrixRow(
                demand=DemandRef.of(row.demand, link, negotiation.slug),
                cells=[_cell(c) for c in row.cells],
                plan=None if plan is None else _row_plan(plan, row.demand.id, row.cells),
            )
            for row in found.rows
        ],
        plan=None
        if plan is None
        else MatrixPlan(
            proposal=plan.proposal.slug,
            title=plan.proposal.title,
            version=plan.version.slug,
            version_label=plan.version.label,
            issued=DateValue.of(plan.version.issued_on, plan.version.issued_on_precision),
            url=link(
                "proposal_version",
                negotiation=negotiation.slug,
                slug=plan.proposal.slug,
                version=plan.version.slug,
            ),
        ),
    )


def _row_plan(plan: Plan, demand_id: int, cells: list[Cell]) -> RowPlan:
    term = plan.term(demand_id)
    return RowPlan(
        term=None
        if term is None
        else PlanTermOut(
            point=term.number, stance=StanceValue.of(term.stance), value=term.value, unit=term.unit
        ),
        gaps=[PlanGap(party=c.party.slug, gap=plan.gap(demand_id, c.stance)) for c in cells],
    )


def _compared(found: Matrix, raw: str) -> list[int]:
    """Column indexes of the parties named in `parties=a,b[,c]`, in the order given."""
    slugs = [slug.strip() for slug in raw.split(",") if slug.strip()]
    columns = {party.slug: index for index, party in enumerate(found.parties)}
    unknown = [slug for slug in slugs if slug not in columns]
    if unknown:
        raise BadRequest.parameter(
            "parties", f"parties names no party {', '.join(map(repr, unknown))}: use slugs."
        )
    if len(set(slugs)) != len(slugs) or not 2 <= len(slugs) <= MAX_COMPARED:
        raise BadRequest.parameter(
            "parties",
            f"parties must name 2 to {MAX_COMPARED} different parties by slug, "
            "separated by commas (parties=russia,ukraine).",
        )
    return [columns[slug] for slug in slugs]


@router.get("/api/negotiations/{slug}/gaps", name="api_gaps")
def gaps(
    session: DbSession,
    link: Links,
    negotiation: ApiTalks,
    parties: ComparedParties,
    as_of: AsOf = None,
) -> GapsOut:
    """How far apart some of the negotiation's participants stand on each of its demands as of
    a date (the compare page's gap)."""
    day = as_of_or_today(as_of)
    found = matrix_as_of(session, negotiation.id, day)
    columns = _compared(found, parties)
    rows = []
    for row in found.rows:
        cells = [row.cells[index] for index in columns]
        rows.append(
            GapRow(
                demand=DemandRef.of(row.demand, link, negotiation.slug),
                positions=[
                    GapPosition(
                        party=cell.party.slug,
                        stance=StanceValue.of(cell.stance) if cell.stance is not None else None,
                        statement_url=link("statement", statement_id=cell.statement.id)
                        if cell.statement
                        else None,
                    )
                    for cell in cells
                ],
                gap=spread([cell.stance for cell in cells]),
            )
        )
    return GapsOut(
        negotiation=NegotiationRef.of(negotiation, link),
        as_of=day,
        parties=[PartyRef.of(found.parties[index], link) for index in columns],
        rows=rows,
    )


# The endpoints from before negotiations. Their parameters are declared (and so checked for
# unknown names, and documented) but read by the scoped endpoint they move to.


@router.get("/api/matrix", name="old_api_matrix", deprecated=True, responses=MOVED_RESPONSES)
def old_matrix(
    request: Request, session: DbSession, as_of: AsOf = None, since: Since = None
) -> Response:
    """Moved: `/api/negotiations/{slug}/matrix`. A 301 there when one negotiation is followed,
    else a 300 listing each negotiation's URL."""
    return moved_or_choose(request, ordered_negotiations(session), "api_matrix")


@router.get("/api/gaps", name="old_api_gaps", deprecated=True, responses=MOVED_RESPONSES)
def old_gaps(
    request: Request, session: DbSession, parties: ComparedParties, as_of: AsOf = None
) -> Response:
    """Moved: `/api/negotiations/{slug}/gaps`. A 301 there when one negotiation has all the
    parties named taking part, else a 300 listing each such negotiation's URL."""
    named = {slug.strip() for slug in parties.split(",") if slug.strip()}
    negotiations = ordered_negotiations(session)
    taking_part = participants(session, [n.id for n in negotiations])
    # Offering a negotiation that would answer "parties names no party" is a dead end.
    fitting = [
        n for n in negotiations if named <= {p.party.slug for p in taking_part.get(n.id, [])}
    ]
    if not fitting and negotiations:
        raise BadRequest.parameter(
            "parties", f"No negotiation has all of {', '.join(sorted(named))} taking part."
        )
    return moved_or_choose(request, fitting, "api_gaps")
