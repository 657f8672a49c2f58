"""Reads for `/sources` and `/sources/{id}`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.models import Demand, Source, Statement
from app.paging import Page, numbered_page

SOURCES_PER_PAGE = 25
STATEMENTS_PER_PAGE = 25


def publishers(session: Session) -> list[str]:
    """Every publisher, for the filter: one row per publisher, not per source."""
    return list(session.scalars(select(Source.publisher).distinct().order_by(Source.publisher)))


def source_page(
    session: Session, number: int, *, publisher: str | None = None, kind: str | None = None
) -> Page[tuple[Source, int]]:
    """Sources newest first, each with how many statements it backs (ix_statement_source_id)."""
    backs = (
        select(func.count(Statement.id))
        .where(Statement.source_id == Source.id, Statement.published_at.is_not(None))
        .correlate(Source)
        .scalar_subquery()
    )
    query = select(Source, backs.label("backs")).order_by(
        Source.published_on.desc().nulls_last(), Source.id.desc()
    )
    if publisher is not None:
        query = query.where(Source.publisher == publisher)
    if kind is not None:
        query = query.where(Source.kind == kind)
    return numbered_page(session, query, number, SOURCES_PER_PAGE)


def source_by_id(session: Session, source_id: int) -> Source | None:
    """With its last link check (a join in the same query: the API shows it)."""
    return session.get(Source, source_id, options=[joinedload(Source.link_check)])


def statements_backed_by(session: Session, source: Source, number: int) -> Page[Statement]:
    query = (
        select(Statement)
        .where(Statement.source_id == source.id, Statement.published_at.is_not(None))
        .order_by(Statement.stated_on.desc(), Statement.id.desc())
        .options(
            joinedload(Statement.party),
            joinedload(Statement.demand).joinedload(Demand.negotiation),
        )
    )
    return numbered_page(session, query, number, STATEMENTS_PER_PAGE)


def sources_before(
    session: Session, before: int | None, size: int
) -> tuple[list[Source], int | None]:
    """Sources newest first by id, keyset-paginated for the API: `before` is the last id shown
    on the page before; returns the page and the id the next one starts before, if any."""
    query = (
        select(Source)
        .options(joinedload(Source.link_check))
        .order_by(Source.id.desc())
        .limit(size + 1)
    )
    if before is not None:
        query = query.where(Source.id < before)
    rows = list(session.scalars(query))
    shown = rows[:size]
    return shown, (shown[-1].id if len(rows) > size and shown else None)
