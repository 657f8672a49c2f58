"""The stance scale and gap arithmetic. No I/O: every page and the API share these words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Stance(IntEnum):
    """A party's position on a demand, ordered so that positions can be compared."""

    INSISTS = 2
    ACCEPTS = 1
    OPEN = 0
    REJECTS = -1
    RED_LINE = -2

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def slug(self) -> str:
        """Stable machine name, used in CSS classes, URLs and the API."""
        return _SLUGS[self]

    @property
    def icon(self) -> str:
        """A glyph that carries the stance without colour (colour-blind readers, print)."""
        return _ICONS[self]

    @property
    def signed(self) -> str:
        """The value as printed on the scale: +2, +1, 0, −1, −2."""
        return _SIGNED[self]

    @classmethod
    def from_slug(cls, slug: str) -> Stance:
        for stance in cls:
            if stance.slug == slug:
                return stance
        raise ValueError(f"unknown stance {slug!r}")


_LABELS = {
    Stance.INSISTS: "insists",
    Stance.ACCEPTS: "accepts",
    Stance.OPEN: "open / conditional",
    Stance.REJECTS: "rejects",
    Stance.RED_LINE: "red line",
}

# Worked out once: a matrix page asks for them a few thousand times.
STANCE_OF = {stance.value: stance for stance in Stance}  # Stance(value), without Enum's call
_SLUGS = {stance: stance.name.lower().replace("_", "-") for stance in Stance}
_SIGNED = {stance: f"{stance.value:+d}".replace("-", "\u2212") for stance in Stance}
_SIGNED[Stance.OPEN] = "0"

_ICONS = {
    Stance.INSISTS: "\u25b2\u25b2",  # ▲▲
    Stance.ACCEPTS: "\u25b2",  # ▲
    Stance.OPEN: "\u25c6",  # ◆
    Stance.REJECTS: "\u25bc",  # ▼
    Stance.RED_LINE: "\u25bc\u25bc",  # ▼▼
}

# Highest first: the order in which the scale is shown to readers.
SCALE: tuple[Stance, ...] = tuple(sorted(Stance, reverse=True))
MAX_GAP = Stance.INSISTS - Stance.RED_LINE
# Parties side by side, on /compare and in /api/gaps: more would not fit a page or a chart, and
# each one costs a history query per demand.
MAX_COMPARED = 6


def gap(a: Stance | int | None, b: Stance | int | None) -> int | None:
    """Distance between two stances on the scale; None when either party has no stated position."""
    if a is None or b is None:
        return None
    return abs(int(a) - int(b))


def spread(stances: Sequence[Stance | int | None]) -> int | None:
    """How far apart a group stands: the widest gap between any two of them (for two, the gap).

    None when any of them has no stated position: a gap with silence is not a distance.
    """
    if len(stances) < 2 or any(s is None for s in stances):
        return None
    values = [int(s) for s in stances if s is not None]
    return max(values) - min(values)


def spread_over_time(
    lines: Sequence[Sequence[tuple[dt.date, int | None]]],
) -> list[tuple[dt.date, int]]:
    """The spread of a group at each date any of its stances changed, once all have one.

    Each line is one party's (date, stance) steps in date order; consecutive equal spreads are
    merged, so every returned step is a move (or the first known spread).
    """
    # An off-scale answer (None) leaves the spread unmeasured until the next stance.
    events = sorted(
        ((day, index, stance) for index, line in enumerate(lines) for day, stance in line),
        key=lambda event: (event[0], event[1]),
    )
    current: list[int | None] = [None] * len(lines)
    steps: list[tuple[dt.date, int]] = []
    for position, (day, index, stance) in enumerate(events):
        current[index] = stance
        # Several parties may move on one date: measure once, after the last of them.
        if position + 1 < len(events) and events[position + 1][0] == day:
            continue
        value = spread(current)
        if value is not None and (not steps or steps[-1][1] != value):
            steps.append((day, value))
    return steps


# --- Off the scale, partial and conditional stances (issue 18; the rules are on /about). ---


class OffScale(StrEnum):
    """An answer recorded instead of a stance: shown and searchable, never a distance."""

    DECLINED = "declined"
    AMBIGUOUS = "ambiguous"

    @property
    def label(self) -> str:
        return _OFF_SCALE_LABELS[self]

    @property
    def slug(self) -> str:
        return f"off-{self.value}"

    @property
    def icon(self) -> str:
        return _OFF_SCALE_ICONS[self]

    @property
    def signed(self) -> str:
        return "off the scale"


_OFF_SCALE_LABELS = {OffScale.DECLINED: "declined to say", OffScale.AMBIGUOUS: "ambiguous"}
_OFF_SCALE_ICONS = {OffScale.DECLINED: "\u2298", OffScale.AMBIGUOUS: "?"}  # ⊘ ?


@dataclass(frozen=True)
class Reading:
    """What one statement says, in the terms the gap and shift rules use.

    `stance` is None for an off-scale answer. A partial stance counts at its value on the
    scale (the scope note says where it holds); so does a conditional one.
    """

    stance: int | None
    partial: bool = False
    conditional: bool = False
    off_scale: str | None = None

    @property
    def on_scale(self) -> bool:
        return self.stance is not None

    def words(self) -> str:
        """The reading in words, e.g. "open / conditional (partial, conditional)"."""
        if self.off_scale is not None:
            return OffScale(self.off_scale).label
        if self.stance is None:
            return "no stated position"
        qualifiers = [
            q for q, on in (("partial", self.partial), ("conditional", self.conditional)) if on
        ]
        label = Stance(self.stance).label
        return f"{label} ({', '.join(qualifiers)})" if qualifiers else label


def gap_between(a: Reading | None, b: Reading | None) -> int | None:
    """The gap rule: off-scale answers and silence measure nothing; partial and conditional
    stances measure at their value on the scale."""
    if a is None or b is None:
        return None
    return gap(a.stance, b.stance)


def shift_from(previous: Reading | None, current: Reading) -> Reading | None:
    """The shift rule: the earlier reading `current` moved away from, or None if no shift.

    `previous` is the party's last ON-SCALE reading before `current` (off-scale answers are
    skipped on both ends: declining to say is not a change of mind). A shift is a change of
    value on the scale, or of whether it holds in part only; a change of conditions alone is
    not a shift (it is shown in the statement's history).
    """
    if previous is None or not current.on_scale or not previous.on_scale:
        return None
    if previous.stance != current.stance or previous.partial != current.partial:
        return previous
    return None


def shift_words(previous: Reading, current: Reading) -> str:
    """ "Changed: was rejects → open / conditional (partial)" """
    return f"Changed: was {previous.words()} \u2192 {current.words()}"


# What the stance does with the demand, for "now accepts it in full" (a shift of scope alone).
_STANCE_VERBS = {
    Stance.INSISTS: "insists on it",
    Stance.ACCEPTS: "accepts it",
    Stance.OPEN: "is open to it",
    Stance.REJECTS: "rejects it",
    Stance.RED_LINE: "holds it a red line",
}


def scope_change(previous: Reading | None, current: Reading) -> str | None:
    """ "now accepts it in full" (or "now accepts it only in part") when a shift changed only
    whether the stance holds in part: the same word on both sides would not say what moved."""
    if previous is None or current.stance is None or previous.stance != current.stance:
        return None
    if previous.partial == current.partial:
        return None
    verb = _STANCE_VERBS[Stance(current.stance)]
    return f"now {verb} in full" if previous.partial else f"now {verb} only in part"
