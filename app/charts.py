"""Step charts as plain geometry for an inline SVG template: no JavaScript, prints, has text.

Python decides every coordinate; `app/templates/macros/chart.html` only draws them. A value holds
from the date it was stated until the next one (a step), which is how a position behaves.

Each chart is laid out twice: wide, with the level names left of the plot, and narrow (a phone),
drawn at about the size it is shown, with the level names above their lines. A 720-unit drawing
shrunk to a phone's 340 px would print its names at 6 px; stretched past the screen it hid them.
The stylesheet shows the one that fits.

A chart's window starts where its story starts (the first statement) and, unless asked for the
full range, ends soon after the last one: a position stated in January 2025 and unchanged since
would otherwise end in a flat line across most of the picture. The "today" (or "as of") marker
then stands at the right edge past a break in the axis, which says that the lines hold until then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

WIDTH = 880
HEIGHT = 320
LEFT = 150  # room for the level labels ("open / conditional")
RIGHT = 96  # room for the line labels at the end
TOP = 16
BOTTOM = 34
# The phone layout: about a 375 px screen's content width, the level names above their lines.
NARROW_WIDTH = 340
NARROW_LEFT = 6
NARROW_TOP = 28
MARKER_ROOM = 64  # px kept free of date ticks left of the marker, for its label
BREAK = 34  # px between the window's end and the marker of the day shown, past the axis break


@dataclass(frozen=True)
class Step:
    """A value that starts holding on `on`; `shift` marks a change that should stand out."""

    on: dt.date
    value: int
    label: str
    shift: bool = False
    href: str | None = None
    # Issue 18: "partial" / "conditional" (words, e.g. "partial, conditional"): drawn as a
    # square, not a dot, so the qualifier shows without colour; the title says it.
    mark: str = ""
    # Anonymous or second-hand evidence (issue 18): a dashed ring, and "reported" in the title.
    reported: bool = False


@dataclass(frozen=True)
class OffMark:
    """An off-scale answer (declined to say, ambiguous): it has no height on the scale and moves
    no line, so it is drawn on a row of its own below the scale, by its icon (issue 18)."""

    on: dt.date
    kind: str  # in words, as the legend says it: "declined to say", "ambiguous"
    icon: str
    label: str
    href: str | None = None
    reported: bool = False


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    steps: Sequence[Step]
    off_scale: Sequence[OffMark] = ()


@dataclass(frozen=True)
class Level:
    value: int
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    shift: bool
    href: str | None
    mark: str = ""
    reported: bool = False


@dataclass(frozen=True)
class OffPoint:
    x: float
    y: float
    kind: str
    icon: str
    label: str
    href: str | None
    reported: bool = False


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    path: str
    points: list[Point]
    label_y: float
    off_points: list[OffPoint] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM
    lines: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    # Level names above their grid lines (the narrow layout) rather than left of the plot.
    levels_above: bool = False
    # The same chart laid out for a phone; None on the narrow layout itself.
    narrow: Chart | None = None
    # The day shown (today, or the page's as_of): where its marker stands, what it says, and
    # where the axis breaks before it (None: the window reaches that day).
    marker_x: float | None = None
    marker_label: str = ""
    break_x: float | None = None
    # True when the window was cut short of the day shown: the page offers the full range.
    cut: bool = False
    # The row below the scale where off-scale answers stand (None: the chart has none).
    off_lane_y: float | None = None

    @property
    def is_empty(self) -> bool:
        return not any(line.points or line.off_points for line in self.lines)

    @property
    def has_qualified(self) -> bool:
        return any(point.mark for line in self.lines for point in line.points)

    @property
    def has_reported(self) -> bool:
        return any(point.reported for line in self.lines for point in line.points) or any(
            point.reported for line in self.lines for point in line.off_points
        )

    def off_kinds(self) -> list[tuple[str, str]]:
        """The off-scale answers drawn, as (icon, label), each once: for the legend."""
        seen: dict[str, tuple[str, str]] = {}
        for line in self.lines:
            for point in line.off_points:
                seen.setdefault(point.kind, (point.icon, point.kind))
        return list(seen.values())


def step_chart(
    series: Sequence[Series],
    levels: Sequence[Level],
    *,
    end: dt.date,
    title: str,
    description: str,
    height: int = HEIGHT,
    full_range: bool = True,
    end_label: str = "",
) -> Chart:
    """Lay out one step line per series from its first step to `end`, on the given levels:
    wide, and narrow in `.narrow`. Without `full_range`, the window ends soon after the last
    step and `end` (named `end_label`, "today") gets its marker past a break in the axis."""
    wide = Chart(title=title, description=description, height=height, bottom_edge=height - BOTTOM)
    narrow = Chart(
        title=title,
        description=description,
        width=NARROW_WIDTH,
        height=height,
        left=NARROW_LEFT,
        right_edge=NARROW_WIDTH - RIGHT,
        top=NARROW_TOP,
        bottom_edge=height - BOTTOM,
        levels_above=True,
    )
    for chart, ticks in ((wide, 6), (narrow, 3)):
        chart.marker_label = end_label
        _lay_out(chart, series, levels, end, max_ticks=ticks, full_range=full_range)
    wide.narrow = narrow
    return wide


def window(days: Sequence[int], end: int, full_range: bool) -> tuple[int, int, bool]:
    """The first and last day numbers drawn, and whether the window stops short of `end`.

    It starts a little before the first step (so the first point does not sit on the axis);
    it ends at `end`, or, when the last step is long before it and the full range was not asked
    for, a little after the last step: a tenth of the story's length, at least a month."""
    first = min(days, default=end - 365)
    latest = max(days, default=end)
    story = max(latest - first, 30)
    # Room before the first point: a twentieth of what is drawn.
    start = first - max((max(end - first, 30) if full_range else story) // 20, 1)
    cut_at = latest + max(story // 10, 30)
    if full_range or cut_at >= end - (cut_at - start) // 10:
        return start, end, False
    return start, cut_at, True


def _lay_out(
    chart: Chart,
    series: Sequence[Series],
    levels: Sequence[Level],
    end: dt.date,
    max_ticks: int,
    full_range: bool = True,
) -> None:
    # Day numbers (ordinals), not dates: the axis may start before 1 January of year 1, where
    # date arithmetic overflows, and a chart must draw whatever date a reader may ask for.
    days = [step.on.toordinal() for s in series for step in s.steps if step.on <= end] + [
        mark.on.toordinal() for s in series for mark in s.off_scale if mark.on <= end
    ]
    start, last, cut = window(days, end.toordinal(), full_range)
    span = max(last - start, 1)
    chart.cut = cut
    plot_right = chart.right_edge
    if cut:
        # The plot ends before the marker; the marker stands at the right edge, past the break.
        chart.break_x = plot_right - BREAK
        plot_right = chart.break_x

    def x_of(day: dt.date) -> float:
        offset = day.toordinal() - start
        return round(chart.left + offset / span * (plot_right - chart.left), 1)

    chart.marker_x = chart.right_edge if cut else x_of(end)

    top_value = max(level.value for level in levels)
    bottom_value = min(level.value for level in levels)
    rows = max(top_value - bottom_value, 1)
    # Off-scale answers get a row of their own below the scale, which gives up that much height.
    scale_bottom = chart.bottom_edge
    if any(mark.on <= end for s in series for mark in s.off_scale):
        scale_bottom = chart.bottom_edge - OFF_LANE
        chart.off_lane_y = chart.bottom_edge - OFF_LANE / 3

    def y_of(value: int, nudge: float = 0) -> float:
        share = (top_value - value) / rows
        return round(chart.top + share * (scale_bottom - chart.top) + nudge, 1)

    chart.y_ticks = [Tick(y_of(level.value), level.label) for level in levels]
    window_end = dt.date.fromordinal(last)
    marker_room = max(MARKER_ROOM, 7 * len(chart.marker_label) + 24)
    chart.x_ticks = [
        Tick(x_of(day), label)
        for day, label in _year_ticks(start, window_end, max_ticks)
        # No tick under the marker's label (about 7 px a character), none cut by the left edge.
        if x_of(day) >= chart.left + 24
        and not (chart.marker_label and x_of(day) > chart.marker_x - marker_room)
    ]

    for index, s in enumerate(series):
        # Lines on the same level would hide each other: each is nudged a few pixels apart.
        nudge = (index - (len(series) - 1) / 2) * 4
        steps = [step for step in s.steps if step.on <= end]
        points = [
            Point(
                x_of(step.on),
                y_of(step.value, nudge),
                step.label,
                step.shift,
                step.href,
                step.mark,
                step.reported,
            )
            for step in steps
        ]
        off_points = [
            OffPoint(
                x_of(mark.on),
                round(chart.off_lane_y + nudge, 1),
                mark.kind,
                mark.icon,
                mark.label,
                mark.href,
                mark.reported,
            )
            for mark in s.off_scale
            if mark.on <= end and chart.off_lane_y is not None
        ]
        path = ""
        if points:
            path = f"M{points[0].x} {points[0].y}"
            for point in points[1:]:
                path += f" H{point.x} V{point.y}"
            # The last stance holds to the day shown: across the break, to its marker.
            path += f" H{chart.marker_x}"
        label_y = points[-1].y if points else y_of(top_value)
        chart.lines.append(Line(s.name, s.colour, path, points, label_y, off_points))
    chart.lines = _spread_labels(chart.lines, LABEL_GAP)


OFF_LANE = 30  # px below the scale for the row of off-scale answers
LABEL_GAP = 16  # px between the baselines of two line names: no overlapping text at ~14 px


def _spread_labels(lines: list[Line], gap: float) -> list[Line]:
    """Names at the line ends on one level would print over each other: push them apart, in
    the order the lines are stacked, and keep the group centred on where they were."""
    ordered = sorted(range(len(lines)), key=lambda i: lines[i].label_y)
    placed = [line.label_y for line in lines]
    start = 0
    while start < len(ordered):
        end = start + 1
        while end < len(ordered) and placed[ordered[end]] - placed[ordered[end - 1]] < gap:
            end += 1
        cluster = ordered[start:end]
        middle = sum(placed[i] for i in cluster) / len(cluster)
        first = middle - gap * (len(cluster) - 1) / 2
        for rank, i in enumerate(cluster):
            if len(cluster) > 1:
                placed[i] = round(first + rank * gap, 1)
        start = end
    return [replace(line, label_y=y) for line, y in zip(lines, placed, strict=True)]


def _year_ticks(start: int, end: dt.date, most: int = 6) -> list[tuple[dt.date, str]]:
    """1 January of each year after day number `start` up to `end`; months instead when the
    range is under a year. About `most` ticks, whatever the range (even 1900 to 9999)."""
    first = dt.date.fromordinal(max(start, 1))
    years = range(first.year + 1, end.year + 1)
    if len(years) >= 2:
        step = -(-len(years) // most)
        return [(dt.date(year, 1, 1), str(year)) for year in years[::step]]
    months: list[tuple[dt.date, str]] = []
    year, month = first.year, first.month
    while (year, month) <= (end.year, end.month):
        day = dt.date(year, month, 1)
        if day.toordinal() > start:
            # The year beside January and beside the first month shown: a window of months
            # says which year it is in.
            named = day.month == 1 or not months
            months.append((day, f"{day:%b} {day.year}" if named else f"{day:%b}"))
        year, month = year + (month == 12), month % 12 + 1
    step = max(1, -(-len(months) // most))  # no months at all: an empty list, not a 0 step
    return months[::step]
