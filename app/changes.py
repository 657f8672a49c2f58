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
from app.stances import Reading, Stance, scope_change, shift_from


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


@dataclass(frozen=True)
class Step:
    """One earlier position in a cell (a published statement that was not retracted)."""

    statement_id: int
    reading: Reading
    stated_on: dt.date
    precision: str


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    # A correction is a correction of a new position, shift or restatement: that one is here.
    underlying: ChangeKind
    title: str
    words: str
    # The on-scale position it moved from or restated (None: a first one).
    previous: Stance | None
    since: str | None


Histories = dict[tuple[int, int], list[Step]]


def histories(session: Session, statements: Iterable[Statement]) -> Histories:
    """Every standing (published, not retracted) statement of the cells `statements` are in,
    oldest first: one query, whatever the number of statements (a feed's words never cost a
    query per entry)."""
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
            Statement.partial,
            Statement.off_scale,
            Statement.stated_on,
            Statement.stated_on_precision,
        )
        .where(
            Statement.party_id.in_(parties),
            Statement.demand_id.in_(demands),
            Statement.is_public(),
        )
        .order_by(Statement.stated_on, Statement.id)
    ).all()
    found: Histories = defaultdict(list)
    for party_id, demand_id, sid, stance, partial, off_scale, stated_on, precision in rows:
        reading = Reading(stance, bool(partial), False, off_scale)
        found[(party_id, demand_id)].append(Step(sid, reading, stated_on, precision))
    return found


def _held(reading: Reading) -> str:
    assert reading.stance is not None
    held = _HELD[Stance(reading.stance)]
    return f"{held} in part" if reading.partial else held


def describe(statement: Statement, history: Histories) -> Change:
    """The statement's change in words. Needs its party, demand and source loaded.

    By the shift rule (app.stances.shift_from): a shift is measured from the party's last
    on-scale position in the cell; an off-scale answer ("declined to say") moves nothing.
    """
    steps = history.get((statement.party_id, statement.demand_id), [])
    key = (statement.stated_on, statement.id)
    earlier = [s for s in steps if (s.stated_on, s.statement_id) < key]
    on_scale = [s for s in earlier if s.reading.on_scale]
    before = on_scale[-1].reading if on_scale else None
    since: str | None = None
    if on_scale:
        # The start of the run of the previous position: the first statement of it after the
        # last one that said something else.
        first = on_scale[-1]
        for step in reversed(on_scale):
            if shift_from(step.reading, first.reading) is not None:
                break
            first = step
        since = format_date(first.stated_on, first.precision)

    reading = Reading(statement.stance, statement.partial, False, statement.off_scale)
    now = reading.words()
    party = statement.party.name
    demand = statement.demand.title
    when = format_date(statement.stated_on, statement.stated_on_precision)
    cited = f"({statement.source.publisher}, {when})"
    if not reading.on_scale:
        # Declining to say is news, but no change of position (the shift rule).
        underlying = ChangeKind.NEW if before is None else ChangeKind.RESTATEMENT
        title = f"{party}: {now} on {demand} ({when})"
        words = f"{party} {now} on ‘{demand}’ {cited}"
        if before is not None:
            words += f"; its position stays {before.words()}: it has {_held(before)} since {since}."
        else:
            words += "; it has taken no position on it yet."
    elif before is None:
        underlying = ChangeKind.NEW
        title = f"{party}: {now} on {demand} ({when}), a first position"
        words = f"{party} took a first position on ‘{demand}’: {now} {cited}."
    elif shift_from(before, reading) is not None:
        underlying = ChangeKind.SHIFT
        title = f"{party}: {before.words()} → {now} on {demand} ({when})"
        # Between part and whole at the same place, the words alone would repeat themselves.
        note = scope_change(before, reading)
        words = (
            f"{party} moved from {before.words()} to {now} on ‘{demand}’ {cited}"
            + (f" ({note})" if note else "")
            + f"; it had {_held(before)} since {since}."
        )
    else:
        underlying = ChangeKind.RESTATEMENT
        title = f"{party}: still {now} on {demand} ({when})"
        words = (
            f"{party} restated that it {now} ‘{demand}’ {cited}; "
            f"it has {_held(before)} since {since}."
        )
    kind = underlying
    if statement.retracted_at is not None:
        kind = ChangeKind.RETRACTION
        title = f"Retracted: {party} {now} on {demand} ({when})"
        words = (
            f"The statement that {party} {now} ‘{demand}’ {cited} was retracted on "
            f"{format_date(statement.retracted_at.date())}: {statement.retraction_reason} "
            "It no longer counts toward any position."
        )
    elif statement.corrected_at is not None:
        # A public correction (issue 19): the latest one, which the write path keeps on the
        # row beside its statement_correction record. Edits without a note (minor ones, the
        # summary's wording) are no correction and are not announced.
        kind = ChangeKind.CORRECTION
        title = f"Corrected: {title}"
        words = (
            f"Corrected on {format_date(statement.corrected_at.date())}: "
            f"{_sentence(statement.correction_note or '')} {words}"
        )
    previous = Stance(before.stance) if before is not None and before.stance is not None else None
    return Change(kind, underlying, title, words, previous, since)


def _sentence(note: str) -> str:
    """The note as a sentence of its own: ends with a full stop unless it has its own."""
    note = note.strip()
    return note if not note or note[-1] in ".!?…" else f"{note}."
