"""One version of a proposal against another: its points side by side by lineage.

Lineage links only a version to the one just before it, so comparing the first draft with the
third follows the links through the second: a point of the later version descends from the
points of the earlier one its chain of predecessors reaches. Points and versions are grouped
into rows (the connected parts of that graph): one point to one is unchanged, reworded or
changed; many to one is merged; one to many is split; nothing to a point is added; a point to
nothing is dropped.

Three queries whatever the number of points or versions between: the points of every version
in the range, their lineage links, and the demands of the two compared versions' points.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ChangeKind, Demand, PointDemand, PointLineage, ProposalPoint
from app.plans import Plan, PlanTerm
from app.proposals.queries import VersionLine
from app.stances import Stance, gap


class RowKind(StrEnum):
    UNCHANGED = "unchanged"
    REWORDED = "reworded"
    CHANGED = "changed"
    MERGED = "merged"
    SPLIT = "split"
    # Several into several: merged and split at once.
    REGROUPED = "regrouped"
    ADDED = "added"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return _ROW_LABELS[self]


_ROW_LABELS = {
    RowKind.UNCHANGED: "unchanged",
    RowKind.REWORDED: "reworded",
    RowKind.CHANGED: "changed",
    RowKind.MERGED: "merged",
    RowKind.SPLIT: "split",
    RowKind.REGROUPED: "regrouped",
    RowKind.ADDED: "added",
    RowKind.DROPPED: "dropped",
}

# Through several versions a point is as changed as its most changed step.
_WEIGHT = {
    ChangeKind.UNCHANGED: 0,
    ChangeKind.REWORDED: 1,
    ChangeKind.CHANGED: 2,
    ChangeKind.SPLIT: 3,
    ChangeKind.MERGED: 4,
}


@dataclass(frozen=True)
class Term:
    """What one side of a row says on one demand."""

    stance: Stance
    value: float | None
    unit: str | None


@dataclass(frozen=True)
class TermChange:
    demand: Demand
    before: Term | None
    after: Term | None

    @property
    def stance_moved(self) -> bool:
        return (
            self.before is not None
            and self.after is not None
            and self.before.stance != self.after.stance
        )

    @property
    def value_moved(self) -> bool:
        if self.before is None or self.after is None:
            return False
        return (self.before.value, self.before.unit) != (self.after.value, self.after.unit)

    @property
    def word(self) -> str:
        """What happened to the demand in this row, in words."""
        if self.before is None:
            return "now addressed"
        if self.after is None:
            return "no longer addressed"
        if self.stance_moved or self.value_moved:
            return "changed"
        return "same"


@dataclass
class DiffRow:
    kind: RowKind
    before: list[ProposalPoint]
    after: list[ProposalPoint]
    terms: list[TermChange] = field(default_factory=list)

    @property
    def key(self) -> str:
        """A stable anchor: the point numbers of both sides."""
        left = "_".join(p.number for p in self.before) or "none"
        right = "_".join(p.number for p in self.after) or "none"
        return f"{left}-to-{right}"


@dataclass(frozen=True)
class VersionDiff:
    before: VersionLine
    after: VersionLine
    rows: list[DiffRow]

    def count(self, kind: RowKind) -> int:
        return sum(1 for row in self.rows if row.kind is kind)

    @property
    def summary(self) -> list[tuple[RowKind, int]]:
        return [(kind, self.count(kind)) for kind in RowKind if self.count(kind)]


def version_diff(
    session: Session, versions: list[VersionLine], before: VersionLine, after: VersionLine
) -> VersionDiff:
    """`before` against `after`, two versions of one proposal with `before` the earlier."""
    span = [
        line.version.id
        for line in versions
        if before.version.position <= line.version.position <= after.version.position
    ]
    points = list(
        session.scalars(
            select(ProposalPoint)
            .where(ProposalPoint.version_id.in_(span))
            .order_by(ProposalPoint.version_id, ProposalPoint.position)
        )
    )
    links: dict[int, list[tuple[int, ChangeKind]]] = defaultdict(list)
    if len(span) > 1:
        for point_id, predecessor_id, change in session.execute(
            select(PointLineage.point_id, PointLineage.predecessor_id, PointLineage.change)
            .join(ProposalPoint, ProposalPoint.id == PointLineage.point_id)
            .where(ProposalPoint.version_id.in_(span[1:]))
        ).all():
            links[point_id].append((predecessor_id, ChangeKind(change)))

    first = [p for p in points if p.version_id == before.version.id]
    last = [p for p in points if p.version_id == after.version.id]
    ancestors = _ancestors(last, links, before.version.id, {p.id: p for p in points})
    terms = _terms(session, [p.id for p in first + last])
    rows = _rows(first, last, ancestors)
    for row in rows:
        row.terms = _term_changes(row, terms)
    return VersionDiff(before, after, rows)


def _ancestors(
    last: list[ProposalPoint],
    links: dict[int, list[tuple[int, ChangeKind]]],
    first_version_id: int,
    by_id: dict[int, ProposalPoint],
) -> dict[int, dict[int, ChangeKind]]:
    """For each point of the later version, the earlier version's points it descends from, each
    with the most change met on the way."""
    found: dict[int, dict[int, ChangeKind]] = {}
    for point in last:
        reached: dict[int, ChangeKind] = {}
        # (point, most change so far); the graph only runs back one version a step.
        stack: list[tuple[int, ChangeKind]] = [(point.id, ChangeKind.UNCHANGED)]
        while stack:
            current, worst = stack.pop()
            if by_id[current].version_id == first_version_id:
                if current not in reached or _WEIGHT[worst] > _WEIGHT[reached[current]]:
                    reached[current] = worst
                continue
            for predecessor, change in links.get(current, []):
                if predecessor in by_id:
                    step = change if _WEIGHT[change] > _WEIGHT[worst] else worst
                    stack.append((predecessor, step))
        found[point.id] = reached
    return found


def _rows(
    first: list[ProposalPoint],
    last: list[ProposalPoint],
    ancestors: dict[int, dict[int, ChangeKind]],
) -> list[DiffRow]:
    """The connected groups of points, in the earlier version's order (its numbering kept);
    an added point follows the row of the point printed before it."""
    successors: dict[int, list[int]] = defaultdict(list)
    for after_id, reached in ancestors.items():
        for before_id in reached:
            successors[before_id].append(after_id)
    first_position = {p.id: index for index, p in enumerate(first)}
    last_position = {p.id: index for index, p in enumerate(last)}
    by_id = {p.id: p for p in first + last}

    seen: set[int] = set()
    groups: list[tuple[set[int], set[int]]] = []
    for start in [p.id for p in first] + [p.id for p in last]:
        if start in seen:
            continue
        left: set[int] = set()
        right: set[int] = set()
        todo = [start]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in first_position:
                left.add(node)
                todo.extend(successors.get(node, []))
            else:
                right.add(node)
                todo.extend(ancestors.get(node, {}))
        groups.append((left, right))

    rows: list[tuple[tuple[int, int, int], DiffRow]] = []
    row_of_after: dict[int, tuple[int, int, int]] = {}
    pending: list[tuple[int, DiffRow]] = []
    for left, right in groups:
        before = sorted((by_id[i] for i in left), key=lambda p: first_position[p.id])
        after = sorted((by_id[i] for i in right), key=lambda p: last_position[p.id])
        row = DiffRow(_kind(before, after, ancestors), before, after)
        if before:
            key = (first_position[before[0].id], 0, 0)
            rows.append((key, row))
            for p in after:
                row_of_after[p.id] = key
        else:
            pending.append((last_position[after[0].id], row))
    for position, row in sorted(pending, key=lambda item: item[0]):
        anchor = (-1, 0, 0)
        for earlier in reversed(last[:position]):
            if earlier.id in row_of_after:
                anchor = row_of_after[earlier.id]
                break
        key = (anchor[0], 1, position)
        rows.append((key, row))
        row_of_after[row.after[0].id] = key
    return [row for _key, row in sorted(rows, key=lambda item: item[0])]


def _kind(
    before: list[ProposalPoint],
    after: list[ProposalPoint],
    ancestors: dict[int, dict[int, ChangeKind]],
) -> RowKind:
    if not before:
        return RowKind.ADDED
    if not after:
        return RowKind.DROPPED
    if len(before) > 1 and len(after) > 1:
        return RowKind.REGROUPED
    if len(before) > 1:
        return RowKind.MERGED
    if len(after) > 1:
        return RowKind.SPLIT
    change = ancestors[after[0].id][before[0].id]
    # A chain that split and merged back to one point is, end to end, a change.
    if change in (ChangeKind.MERGED, ChangeKind.SPLIT):
        return RowKind.CHANGED
    return RowKind(change.value)


def _terms(session: Session, point_ids: list[int]) -> dict[int, list[tuple[Demand, Term]]]:
    found: dict[int, list[tuple[Demand, Term]]] = defaultdict(list)
    if not point_ids:
        return found
    for link, demand in session.execute(
        select(PointDemand, Demand)
        .join(Demand, Demand.id == PointDemand.demand_id)
        .where(PointDemand.point_id.in_(point_ids))
        .order_by(Demand.display_order, Demand.id)
    ).all():
        found[link.point_id].append((demand, Term(Stance(link.stance), link.value, link.unit)))
    return found


def _term_changes(row: DiffRow, terms: dict[int, list[tuple[Demand, Term]]]) -> list[TermChange]:
    """Per demand either side speaks to: what the earlier side said and what the later says.
    Where several points of one side speak to a demand, the first of them (in order) speaks."""
    demands: dict[int, Demand] = {}
    before: dict[int, Term] = {}
    after: dict[int, Term] = {}
    for side, points in ((before, row.before), (after, row.after)):
        for point in points:
            for demand, term in terms.get(point.id, []):
                demands.setdefault(demand.id, demand)
                side.setdefault(demand.id, term)
    ordered = sorted(demands.values(), key=lambda d: (d.display_order, d.id))
    return [TermChange(d, before.get(d.id), after.get(d.id)) for d in ordered]


@dataclass(frozen=True)
class AlignedTerm:
    demand: Demand
    first: PlanTerm | None
    second: PlanTerm | None

    @property
    def gap(self) -> int | None:
        return gap(
            self.first.stance if self.first else None, self.second.stance if self.second else None
        )


@dataclass(frozen=True)
class Alignment:
    first: Plan
    second: Plan
    as_of: dt.date
    rows: list[AlignedTerm]


def align_plans(session: Session, first: Plan, second: Plan, as_of: dt.date) -> Alignment:
    """Two plans side by side on each demand either speaks to: in the first plan's numbering
    (its points' order), then the demands only the second speaks to, in its order. 1 query."""
    ids = set(first.terms) | set(second.terms)
    demands = (
        {d.id: d for d in session.scalars(select(Demand).where(Demand.id.in_(ids)))} if ids else {}
    )

    def order(demand_id: int) -> tuple[int, int]:
        if demand_id in first.terms:
            return (0, first.terms[demand_id].position)
        return (1, second.terms[demand_id].position)

    rows = [AlignedTerm(demands[i], first.term(i), second.term(i)) for i in sorted(ids, key=order)]
    return Alignment(first, second, as_of, rows)
