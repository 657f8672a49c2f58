"""Reads for `/timeline` and its Atom feed: statements newest first, keyset-paginated.

Newest stated: the order is (stated_on DESC, id DESC) and a page starts strictly after the last
row of the one before, so each page is one index range scan (ix_statement_timeline, or the
party's or demand's own index when filtered) however deep the reader goes, and rows never repeat
or go missing when statements are added meanwhile. Newest entered (`order=entered`, the name kept
for its URLs): newest *published* first, (published_at DESC, id DESC) over ix_statement_published
(issue 19 item 6): a draft published today after a week in review is news today, and a late
entry about last March comes first. Its cursor names the last row's id; the query reads that
row's publication time itself (one probe of the primary key), so the cursor carries no timestamp.

Each statement comes with its party's previous position on the demand (a correlated subquery in
the same query), so a shift is marked even when that position is on a later page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import Select, literal, select, tuple_
from sqlalchemy.orm import Session, aliased, joinedload

from app.models import Demand, Negotiation, Party, Source, Statement
from app.paging import format_cursor
from app.stances import OffScale, Reading, Stance, shift_from

PER_PAGE = 25
# ?order=: newest stated first (the default) or newest entered first.
ORDERS = ("stated", "entered")
# The columns of a query that `filtered` narrows: they come back as they went in.
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True)
class TimelineFilters:
    party: Party | None = None
    demand: Demand | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    # The negotiation: the scoped timeline's (from its path) or the API's `negotiation=`.
    negotiation: Negotiation | None = None
    stance: Stance | OffScale | None = None
    source: Source | None = None
    # Retracted statements hold no position, so lists leave them out unless asked.
    include_retracted: bool = False
    # Not a filter but part of the view's URL (pages, feed): one of ORDERS.
    order: str = "stated"

    def scoped_params(self) -> dict[str, str]:
        """The URL parameters of a negotiation's own view, whose path names the negotiation."""
        return {key: value for key, value in self.params().items() if key != "negotiation"}

    def params(self) -> dict[str, str]:
        """The filters as URL parameters, so every view and its feed is a stable URL."""
        return {
            key: value
            for key, value in {
                "negotiation": self.negotiation.slug if self.negotiation else "",
                "party": self.party.slug if self.party else "",
                "demand": self.demand.slug if self.demand else "",
                "from": self.start.isoformat() if self.start else "",
                "to": self.end.isoformat() if self.end else "",
                "stance": self.stance.slug if self.stance is not None else "",
                "source": str(self.source.id) if self.source else "",
                "include_retracted": "true" if self.include_retracted else "",
                "order": self.order if self.order != "stated" else "",
            }.items()
            if value
        }


@dataclass(frozen=True)
class TimelinePage:
    statements: list[Statement]
    # Where the next page starts (the last row shown), or None on the last page.
    next_cursor: str | None
    # Statement id -> the reading it moved away from, for each statement that is a shift
    # (a change of value on the scale, or of whether it holds in part only: app.stances).
    shifted_from: dict[int, Reading]

    def shift_from(self, statement: Statement) -> Reading | None:
        return self.shifted_from.get(statement.id)


def filtered(query: Select[*Columns], filters: TimelineFilters) -> Select[*Columns]:
    """`query` (over statements) narrowed to the filters: the timeline, its feed, the API, CSV."""
    if not filters.include_retracted:
        query = query.where(Statement.is_public())
    else:
        # Retracted ones too, drafts never (issue 19): no reader's list holds a draft.
        query = query.where(Statement.published_at.is_not(None))
    if filters.negotiation is not None:
        query = query.where(Statement.negotiation_id == filters.negotiation.id)
    if filters.party is not None:
        query = query.where(Statement.party_id == filters.party.id)
    if filters.demand is not None:
        query = query.where(Statement.demand_id == filters.demand.id)
    if isinstance(filters.stance, OffScale):
        query = query.where(Statement.off_scale == filters.stance.value)
    elif filters.stance is not None:
        query = query.where(Statement.stance == filters.stance.value)
    if filters.source is not None:
        query = query.where(Statement.source_id == filters.source.id)
    if filters.start is not None:
        query = query.where(Statement.stated_on >= filters.start)
    if filters.end is not None:
        query = query.where(Statement.stated_on <= filters.end)
    return query


def previous_stance(column: str = "stance") -> Any:
    """The statement's party's position on its demand just before it (None for its first):
    its stance, or (`column="partial"`) whether it held in part only."""
    earlier = aliased(Statement)
    return (
        select(getattr(earlier, column))
        .where(
            earlier.party_id == Statement.party_id,
            earlier.demand_id == Statement.demand_id,
            earlier.retracted_at.is_(None),
            # Measured from the last stance on the scale: off-scale answers are no shift.
            earlier.stance.is_not(None),
            earlier.published_at.is_not(None),
            tuple_(earlier.stated_on, earlier.id) < tuple_(Statement.stated_on, Statement.id),
        )
        .order_by(earlier.stated_on.desc(), earlier.id.desc())
        .limit(1)
        .correlate(Statement)
        .scalar_subquery()
    )


def timeline_query(
    filters: TimelineFilters, before: tuple[dt.date, int] | None = None, size: int = PER_PAGE
) -> Select[tuple[Statement, Any, Any]]:
    """One page of the timeline (and a row more, to know whether another follows), with each
    statement's previous stance and whether it was partial (two probes of the position index
    per row, in the same query): one range scan of the filters' index
    (ix_statement_negotiation_timeline for a negotiation's timeline)."""
    entered = filters.order == "entered"
    order: list[Any] = (
        [Statement.published_at.desc(), Statement.id.desc()]
        if entered
        else [Statement.stated_on.desc(), Statement.id.desc()]
    )
    query = (
        select(Statement, previous_stance(), previous_stance("partial"))
        .order_by(*order)
        .limit(size + 1)
        .options(
            joinedload(Statement.party),
            # Its negotiation too: the API names it (a join with a few rows, no more queries).
            joinedload(Statement.demand).joinedload(Demand.negotiation),
            joinedload(Statement.source),
        )
    )
    query = filtered(query, filters)
    if before is not None and entered:
        # The cursor's date (the day it was published) is for people; the row it names orders.
        last = aliased(Statement)
        published = select(last.published_at).where(last.id == before[1]).scalar_subquery()
        query = query.where(
            tuple_(Statement.published_at, Statement.id) < tuple_(published, literal(before[1]))
        )
    elif before is not None:
        # A row comparison both databases answer from the index as a range.
        query = query.where(
            tuple_(Statement.stated_on, Statement.id)
            < tuple_(literal(before[0]), literal(before[1]))
        )
    return query


def timeline_page(
    session: Session,
    filters: TimelineFilters,
    before: tuple[dt.date, int] | None = None,
    size: int = PER_PAGE,
) -> TimelinePage:
    entered = filters.order == "entered"
    query = timeline_query(filters, before, size)
    rows = session.execute(query).all()
    shown = [statement for statement, _, _ in rows[:size]]
    shifted_from: dict[int, Reading] = {}
    for statement, stance, partial in rows[:size]:
        previous = None if stance is None else Reading(stance, bool(partial))
        # Conditions are not read here: a change of conditions alone is no shift anyway.
        current = Reading(statement.stance, statement.partial, False, statement.off_scale)
        if shift_from(previous, current) is not None:
            assert previous is not None
            shifted_from[statement.id] = previous
    next_cursor = None
    if len(rows) > size and shown:
        last = shown[-1]
        shown_on = last.published_at.date() if entered and last.published_at else last.stated_on
        next_cursor = format_cursor(shown_on, last.id)
    return TimelinePage(statements=shown, next_cursor=next_cursor, shifted_from=shifted_from)
