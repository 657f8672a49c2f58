"""What the proposal editor's forms offer: the talks' demands and parties, known sources, and
the previous version's points to start from. Each a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Demand, PointDemand, ProposalPoint, ProposalVersion, Source
from app.proposal_editor.forms import DEMANDS_PER_POINT, blank_row, slot_field


def demand_choices(session: Session, negotiation_id: int) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Demand.id, Demand.title)
        .where(Demand.negotiation_id == negotiation_id)
        .order_by(Demand.display_order, Demand.id)
    ).all()
    return [(str(i), title) for i, title in rows]


def recent_sources(session: Session, limit: int = 50) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.id.desc()).limit(limit)))


def latest_version(session: Session, proposal_id: int) -> ProposalVersion | None:
    return session.scalar(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal_id)
        .order_by(ProposalVersion.position.desc())
        .limit(1)
    )


def rows_from_version(session: Session, version: ProposalVersion) -> list[dict[str, str]]:
    """The version's points as form rows, each the unchanged predecessor of its copy: 2 queries."""
    points = session.scalars(
        select(ProposalPoint)
        .where(ProposalPoint.version_id == version.id)
        .order_by(ProposalPoint.position)
    ).all()
    linked: dict[int, list[PointDemand]] = {}
    for stored in session.scalars(
        select(PointDemand)
        .where(PointDemand.point_id.in_([p.id for p in points]))
        .order_by(PointDemand.id)
    ):
        linked.setdefault(stored.point_id, []).append(stored)
    rows = []
    for point in points:
        row = {
            "number": point.number,
            "text": point.text,
            "pred": point.number,
            "change": "unchanged",
        }
        # Every demand the point speaks to, each in its own slot (app/proposal_editor/forms.py).
        links = linked.get(point.id, [])[:DEMANDS_PER_POINT]
        for k, link in enumerate(links):
            row[slot_field("demand", k)] = str(link.demand_id)
            row[slot_field("stance", k)] = str(link.stance)
            row[slot_field("value", k)] = "" if link.value is None else _typed(link.value)
            row[slot_field("unit", k)] = link.unit or ""
        row["slots"] = str(max(1, len(links)))
        rows.append({**blank_row(), **row})
    return rows


def _typed(value: float) -> str:
    """A stored value as the form shows it: "600,000", never "6e+05"."""
    return f"{value:,.0f}" if value.is_integer() else f"{value:,}"
