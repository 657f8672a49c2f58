"""A pasted numbered list, split into points: "1.", "2)", "12a." start a point; any other line
goes on with the point above, so a point printed over several lines stays one point."""

from __future__ import annotations

import re

from app.exceptions import FieldProblem
from app.models.proposal import NUMBER_MAX

# A number as plans print them: digits, an optional letter ("12a"), then "." or ")". Three digits
# at most, so that "600,000." or a year at the head of a wrapped line does not start a point.
_NUMBERED = re.compile(r"^\s*(\d{1,3}[a-z]?)[.)](?:\s+|$)(.*)$", re.IGNORECASE)

# Bounds what one paste may make: the write path takes no more points than this anyway.
PASTE_MAX = 100_000


def split_points(pasted: str) -> list[tuple[str, str]]:
    """(number, text) for each numbered point, in the order pasted."""
    if len(pasted) > PASTE_MAX:
        raise FieldProblem("paste", f"the paste is longer than {PASTE_MAX:,} characters")
    points: list[tuple[str, list[str]]] = []
    for line in pasted.splitlines():
        numbered = _NUMBERED.match(line)
        if numbered:
            number = numbered.group(1).lower()
            assert len(number) <= NUMBER_MAX
            points.append((number, [numbered.group(2).strip()]))
        elif line.strip():
            if not points:
                raise FieldProblem(
                    "paste",
                    f"the paste has text before point 1 ({line.strip()[:40]!r}): paste the "
                    "numbered list only, from its first point",
                )
            points[-1][1].append(line.strip())
    if not points:
        raise FieldProblem(
            "paste",
            "no numbered points found: paste the list with its numbers (“1.”, “2)”, “12a.”)",
        )
    result = []
    for number, lines in points:
        text = "\n".join(line for line in lines if line)
        if not text:
            raise FieldProblem("paste", f"point {number} has no text")
        result.append((number, text))
    return result
