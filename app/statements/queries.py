"""Reads of statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.sql.elements import ColumnElement

from app.models import (
    Action,
    Demand,
    Negotiation,
    Participation,
    Party,
    Revision,
    Source,
    Statement,
    StatementCorrection,
    User,
    user_negotiation,
)
from app.models.user import UNSCOPED_ROLES
from app.paging import format_cursor


def statement_with_context(session: Session, statement_id: int) -> Statement | None:
    """The statement with everything its page shows, in one query."""
    return session.scalar(
        select(Statement)
        .where(Statement.id == statement_id)
        .options(
            joinedload(Statement.party),
            joinedload(Statement.demand).joinedload(Demand.negotiation),
            # The last link check too (issue 18 item 5): same query.
            joinedload(Statement.source).joinedload(Source.link_check),
            joinedload(Statement.created_by),
        )
    )


# --- review (issue 19) ---
def visible_statement(statement: Statement | None, viewer: User | None) -> Statement | None:
    """The statement if this viewer may see it: a draft exists only for editors of its talks
    (to anyone else it is a 404, the same answer as a number never used)."""
    if statement is None or not statement.is_draft:
        return statement
    if viewer is not None and viewer.may_edit_negotiation(statement.negotiation_id):
        return statement
    return None


@dataclass(frozen=True)
class Credit:
    """Who entered, published and corrected a statement, and when (issue 19 item 5)."""

    entered_by: str
    entered_at: dt.datetime
    # The reviewer who published it; None for a draft, and for a statement public as soon as
    # it was entered (its talks asked for no review, or it predates review).
    published_by: str | None
    published_at: dt.datetime | None
    corrections: list[StatementCorrection]


def statement_credit(session: Session, statement: Statement) -> Credit:
    """Two queries: the last publish revision (with its user) and the corrections (with
    theirs), each one range of a unique or dedicated index."""
    published = session.execute(
        select(User.display_name, Revision.created_at)
        .join(User, User.id == Revision.user_id)
        .where(
            Revision.entity_type == Statement.ENTITY_TYPE,
            Revision.entity_id == statement.id,
            Revision.action == Action.PUBLISH.value,
        )
        .order_by(Revision.id.desc())
        .limit(1)
    ).first()
    corrections = list(
        session.scalars(
            select(StatementCorrection)
            .where(StatementCorrection.statement_id == statement.id)
            .order_by(StatementCorrection.id)
            .options(joinedload(StatementCorrection.user))
        )
    )
    return Credit(
        entered_by=statement.created_by.display_name,
        entered_at=statement.created_at,
        published_by=published[0] if published is not None else None,
        published_at=published[1] if published is not None else statement.published_at,
        corrections=corrections,
    )


# --- end review ---


@dataclass(frozen=True)
class Neighbours:
    """The party's statements just before and after one, on the same demand."""

    previous: Statement | None
    next: Statement | None


def neighbours(session: Session, statement: Statement) -> Neighbours:
    """Previous and next by (stated_on, id): two probes of ix_statement_position, in one query.

    Retracted statements are skipped, as they are in positions: "previous" is the position this
    statement replaced.
    """
    here = tuple_(Statement.stated_on, Statement.id)
    mine = (statement.stated_on, statement.id)
    same_line = select(Statement).where(
        Statement.party_id == statement.party_id,
        Statement.demand_id == statement.demand_id,
        Statement.is_public(),
    )
    before = (
        same_line.where(here < tuple_(literal(mine[0]), literal(mine[1])))
        .order_by(Statement.stated_on.desc(), Statement.id.desc())
        .limit(1)
        .subquery()
    )
    after = (
        same_line.where(here > tuple_(literal(mine[0]), literal(mine[1])))
        .order_by(Statement.stated_on, Statement.id)
        .limit(1)
        .subquery()
    )
    both = union_all(select(before), select(after)).subquery()
    found = list(session.scalars(select(aliased(Statement, both))))
    return Neighbours(
        previous=next((s for s in found if (s.stated_on, s.id) < mine), None),
        next=next((s for s in found if (s.stated_on, s.id) > mine), None),
    )


def form_choices(
    session: Session, negotiations: list[Negotiation]
) -> dict[str, list[tuple[str, str]]]:
    """Parties and demands for the statement form's lists, from the negotiations the editor
    edits (and those alone): two small queries.

    With several negotiations a demand's title says whose it is; parties are those taking
    part in any of them.
    """
    ids = [n.id for n in negotiations]
    titles = {n.id: n.title for n in negotiations}
    parties = session.execute(
        select(Party.id, Party.name)
        .where(
            Party.id.in_(
                select(Participation.party_id).where(Participation.negotiation_id.in_(ids))
            )
        )
        .order_by(Party.name)
    ).all()
    demands = session.execute(
        select(Demand.id, Demand.title, Demand.negotiation_id)
        .where(Demand.negotiation_id.in_(ids))
        .order_by(Demand.negotiation_id, Demand.display_order, Demand.id)
    ).all()
    several = len(ids) > 1
    return {
        "parties": [(str(id_), name) for id_, name in parties],
        "demands": [
            (str(id_), f"{title} — {titles[talks]}" if several else title)
            for id_, title, talks in demands
        ],
        "negotiations": [(str(n.id), n.title) for n in negotiations],
    }


def statement_for_edit(session: Session, statement_id: int) -> Statement | None:
    return session.scalar(
        select(Statement)
        .where(Statement.id == statement_id)
        .options(joinedload(Statement.source), joinedload(Statement.party))
    )


def source_suggestions(session: Session, typed: str, limit: int = 8) -> list[Source]:
    """Sources whose URL or title contains what was typed (case-insensitive)."""
    text = typed.strip()
    if len(text) < 2:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped.lower()}%"
    return list(
        session.scalars(
            select(Source)
            .where(
                func.lower(Source.url).like(pattern, escape="\\")
                | func.lower(Source.title).like(pattern, escape="\\")
            )
            .order_by(Source.id.desc())
            .limit(limit)
        )
    )


# --- issue 18 ---


@dataclass(frozen=True)
class OfferOption:
    id: int
    summary: str
    stance: int | None
    off_scale: str | None
    partial: bool
    demand_title: str


def offer_of(session: Session, statement: Statement) -> list[OfferOption]:
    """The options of the either-or offer this statement belongs to (empty if none), in one
    query: every option points at the offer's first statement (app/statements/service.py)."""
    root = statement.alternative_to_id or statement.id
    rows = session.execute(
        select(
            Statement.id,
            Statement.summary,
            Statement.stance,
            Statement.off_scale,
            Statement.partial,
            Demand.title,
        )
        .join(Demand, Demand.id == Statement.demand_id)
        .where((Statement.id == root) | (Statement.alternative_to_id == root))
        .order_by(Statement.id)
    ).all()
    options = [OfferOption(*row) for row in rows]
    return options if len(options) > 1 else []


# --- corrections (issue 19 item 3) ---
CORRECTIONS_PER_PAGE = 25


@dataclass(frozen=True)
class CorrectionsPage:
    corrections: list[StatementCorrection]
    # The last correction shown (a paging cursor), or None on the last page.
    next_cursor: str | None


def corrections_page(
    session: Session, before: int | None = None, size: int = CORRECTIONS_PER_PAGE
) -> CorrectionsPage:
    """Public corrections, newest first: one query, a range of the primary key (corrections
    are appended in order), each with its statement, party, demand and negotiation."""
    query = (
        select(StatementCorrection)
        .order_by(StatementCorrection.id.desc())
        .limit(size + 1)
        .options(
            joinedload(StatementCorrection.statement).options(
                joinedload(Statement.party),
                joinedload(Statement.demand).joinedload(Demand.negotiation),
            )
        )
    )
    if before is not None:
        query = query.where(StatementCorrection.id < before)
    rows = list(session.scalars(query))
    shown = rows[:size]
    next_cursor = None
    if len(rows) > size and shown:
        last = shown[-1]
        next_cursor = format_cursor(last.created_at.date(), last.id)
    return CorrectionsPage(corrections=shown, next_cursor=next_cursor)


def latest_corrections(session: Session, size: int) -> list[StatementCorrection]:
    """The newest correction of each of the `size` statements corrected last (the feed's
    entries: one per statement, updated by its latest correction)."""
    newest = (
        select(func.max(StatementCorrection.id).label("id"))
        .group_by(StatementCorrection.statement_id)
        .order_by(func.max(StatementCorrection.id).desc())
        .limit(size)
        .subquery()
    )
    return list(
        session.scalars(
            select(StatementCorrection)
            .join(newest, newest.c.id == StatementCorrection.id)
            .order_by(StatementCorrection.id.desc())
            .options(
                joinedload(StatementCorrection.statement).options(
                    joinedload(Statement.party),
                    joinedload(Statement.demand).joinedload(Demand.negotiation),
                    joinedload(Statement.source),
                )
            )
        )
    )


# --- end corrections ---


# --- the review queue (issue 19 item 2) ---
REVIEW_QUEUE_MAX = 200
# The actions that make someone an author of a draft (app.statements.service.authors).
AUTHORING = (Action.CREATE.value, Action.EDIT.value, Action.REVERT.value)


def _reviewable_by(user_id: int) -> ColumnElement[bool]:
    """Drafts this account may publish: in talks it edits (read from the user row, so the
    header's count needs only the id in the cookie), and, where the talks ask for review,
    neither entered nor changed by it."""
    account = (
        select(User.id)
        .where(
            User.id == user_id,
            User.is_active.is_(True),
            or_(
                User.role.in_(sorted(UNSCOPED_ROLES)),
                User.all_negotiations.is_(True),
                # Correlated to the outer statement by name: nested two deep, it would
                # otherwise take `statement` into its own FROM and ask about any draft.
                exists()
                .where(
                    user_negotiation.c.user_id == user_id,
                    user_negotiation.c.negotiation_id == Statement.negotiation_id,
                )
                .correlate(Statement),
            ),
        )
        .correlate(Statement)
        .exists()
    )
    wrote = (
        select(Revision.id)
        .where(
            Revision.entity_type == Statement.ENTITY_TYPE,
            Revision.entity_id == Statement.id,
            Revision.user_id == user_id,
            Revision.action.in_(AUTHORING),
        )
        .exists()
    )
    needs_review = (
        select(Negotiation.statements_need_review)
        .where(Negotiation.id == Statement.negotiation_id)
        .scalar_subquery()
    )
    return and_(
        Statement.published_at.is_(None),
        account,
        or_(needs_review.is_(False), and_(Statement.created_by_id != user_id, ~wrote)),
    )


def review_queue(session: Session, user: User) -> list[Statement]:
    """The drafts `user` may review, oldest first (the longest waiting on top): one query."""
    return list(
        session.scalars(
            select(Statement)
            .where(_reviewable_by(user.id))
            .order_by(Statement.id)
            .limit(REVIEW_QUEUE_MAX)
            .options(
                joinedload(Statement.party),
                joinedload(Statement.demand).joinedload(Demand.negotiation),
                joinedload(Statement.source),
                joinedload(Statement.created_by),
            )
        )
    )


def review_count(session: Session, user_id: int) -> int:
    """How many drafts wait for this account's review (the header's count): one query over
    the drafts' partial index."""
    return int(
        session.scalar(select(func.count()).select_from(Statement).where(_reviewable_by(user_id)))
        or 0
    )


# --- end review queue ---
