"""What a statement changed, in words: a new position, a shift, a restatement, a retraction or a
correction, told apart, with the position it moved from and since when that one held.

Shared by every feed (a negotiation's, a party's, a demand's, a cell's) and by the webhooks'
payloads, so a reader and a receiver are told the same thing. The history the words need (each
statement's earlier positions in its cell) is read for a whole feed in one query: `histories`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dates import format_date
from app.models import Statement
from app.stances import Stance


class ChangeKind(StrEnum):
    NEW = "new"
    SHIFT = "shift"
    RESTATEMENT = "restatement"
    RETRACTION = "retraction"
    CORRECTION = "correction"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ChangeKind.NEW: "New position",
    ChangeKind.SHIFT: "Shift",
    ChangeKind.RESTATEMENT: "Restatement",
    ChangeKind.RETRACTION: "Retraction",
    ChangeKind.CORRECTION: "Correction",
}

# "it had rejected it since January 2025": the stance as something held over a time.
_HELD = {
    Stance.INSISTS: "insisted on it",
    Stance.ACCEPTS: "accepted it",
    Stance.OPEN: "been open to it",
    Stance.REJECTS: "rejected it",
    Stance.RED_LINE: "held it as a red line",
}

# An edit within this long of the entry is its first save, not a correction.
_CORRECTION_AFTER = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Step:
    """One earlier position in a cell (a statement that was not retracted)."""

    statement_id: int
    stance: int
    stated_on: dt.date
    precision: str


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    # A correction is a correction of a new position, shift or restatement: that one is here.
    underlying: ChangeKind
    title: str
    words: str
    previous: Stance | None
    since: str | None


Histories = dict[tuple[int, int], list[Step]]


def histories(session: Session, statements: Iterable[Statement]) -> Histories:
    """Every standing statement of the cells `statements` are in, oldest first: one query,
    whatever the number of statements (a feed's words never cost a query per entry)."""
    statements = list(statements)
    if not statements:
        return {}
    parties = {s.party_id for s in statements}
    demands = {s.demand_id for s in statements}
    rows = session.execute(
        select(
            Statement.party_id,
            Statement.demand_id,
            Statement.id,
            Statement.stance,
            Statement.stated_on,
            Statement.stated_on_precision,
        )
        .where(
            Statement.party_id.in_(parties),
            Statement.demand_id.in_(demands),
            Statement.retracted_at.is_(None),
        )
        .order_by(Statement.stated_on, Statement.id)
    ).all()
    found: Histories = defaultdict(list)
    for party_id, demand_id, sid, stance, stated_on, precision in rows:
        found[(party_id, demand_id)].append(Step(sid, stance, stated_on, precision))
    return found


def describe(statement: Statement, history: Histories) -> Change:
    """The statement's change in words. Needs its party, demand and source loaded."""
    steps = history.get((statement.party_id, statement.demand_id), [])
    key = (statement.stated_on, statement.id)
    earlier = [s for s in steps if (s.stated_on, s.statement_id) < key]
    previous = Stance(earlier[-1].stance) if earlier else None
    since: str | None = None
    if earlier:
        # The start of the run of the previous stance: the first statement of it after the
        # last one that said something else.
        first = earlier[-1]
        for step in reversed(earlier):
            if step.stance != earlier[-1].stance:
                break
            first = step
        since = format_date(first.stated_on, first.precision)

    stance = Stance(statement.stance)
    party = statement.party.name
    demand = statement.demand.title
    when = format_date(statement.stated_on, statement.stated_on_precision)
    cited = f"({statement.source.publisher}, {when})"
    if previous is None:
        underlying = ChangeKind.NEW
        title = f"{party}: {stance.label} on {demand} ({when}), a first position"
        words = f"{party} took a first position on ‘{demand}’: {stance.label} {cited}."
    elif previous != stance:
        underlying = ChangeKind.SHIFT
        title = f"{party}: {previous.label} → {stance.label} on {demand} ({when})"
        words = (
            f"{party} moved from {previous.label} to {stance.label} on ‘{demand}’ {cited}; "
            f"it had {_HELD[previous]} since {since}."
        )
    else:
        underlying = ChangeKind.RESTATEMENT
        title = f"{party}: still {stance.label} on {demand} ({when})"
        words = (
            f"{party} restated that it {stance.label} ‘{demand}’ {cited}; "
            f"it has {_HELD[stance]} since {since}."
        )
    kind = underlying
    if statement.retracted_at is not None:
        kind = ChangeKind.RETRACTION
        title = f"Retracted: {party} {stance.label} on {demand} ({when})"
        words = (
            f"The statement that {party} {stance.label} ‘{demand}’ {cited} was retracted on "
            f"{format_date(statement.retracted_at.date())}: {statement.retraction_reason} "
            "It no longer counts toward any position."
        )
    elif statement.updated_at - statement.created_at > _CORRECTION_AFTER:
        kind = ChangeKind.CORRECTION
        title = f"Corrected: {title}"
        words = f"Corrected on {format_date(statement.updated_at.date())}. {words}"
    return Change(kind, underlying, title, words, previous, since)
