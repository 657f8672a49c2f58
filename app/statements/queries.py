"""Reads of statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, select, tuple_, union_all
from sqlalchemy.orm import Session, aliased, joinedload

from app.models import Demand, Negotiation, Participation, Party, Source, Statement, User


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
