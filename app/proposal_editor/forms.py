"""The version form's rows: read from the posted fields, changed by its buttons, checked.

The form is one table of numbered rows (p0_number, p0_text, p0_demand …) so that it works with
no script: every button (split the paste, add, remove, move a row, start from the previous
version) posts the whole form back and gets the table again, changed; only "Save" writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.dates import InvalidDate, parse_typed_date
from app.exceptions import FieldProblem
from app.field_types import whole_number
from app.ids import MAX_ID
from app.models import ChangeKind, VersionStatus
from app.proposals.paste import split_points
from app.proposals.service import (
    POINTS_MAX,
    LineageFields,
    PointDemandFields,
    PointFields,
    VersionFields,
)
from app.stances import Stance

# A point speaks to one demand or several: each row has up to DEMANDS_PER_POINT demand slots,
# slot 0 named p0_demand, p0_stance…, slot k p0_demand_k, p0_stance_k… "Another demand" (a
# button, so no script is needed) shows one slot more; `slots` says how many are shown.
DEMAND_FIELDS = ("demand", "stance", "value", "unit")
DEMANDS_PER_POINT = 6


def slot_field(name: str, k: int) -> str:
    return name if k == 0 else f"{name}_{k}"


ROW_FIELDS = (
    "number",
    "text",
    *(slot_field(name, k) for k in range(DEMANDS_PER_POINT) for name in DEMAND_FIELDS),
    "slots",
    "pred",
    "change",
)

# "600,000", "600 000", "1.5": a value as printed, at most this long (a 5,000-digit number is
# a paste gone wrong, not a cap on an army).
VALUE_MAX_CHARS = 20
_VALUE = re.compile(r"-?[0-9]+(\.[0-9]+)?")

LABELS = {
    "label": "Label",
    "issued_on": "Date",
    "status": "Status",
    "source_url": "Source URL",
    "paste": "Pasted list",
    "rows": "Points",
}


@dataclass
class VersionForm:
    values: dict[str, str]
    rows: list[dict[str, str]]
    errors: dict[str, str] = field(default_factory=dict)


def read_rows(form: dict[str, str]) -> list[dict[str, str]]:
    """The table as posted: rows p0… up to the count the form says (bounded)."""
    try:
        count = int(form.get("rows", "0"))
    except ValueError:
        count = 0
    count = max(0, min(count, POINTS_MAX))
    return [
        {name: form.get(f"p{i}_{name}", "")[:5000] for name in ROW_FIELDS} for i in range(count)
    ]


def blank_row() -> dict[str, str]:
    return {name: "" for name in ROW_FIELDS}


def shown_slots(row: dict[str, str]) -> int:
    """How many demand slots the row shows: as many as asked for, and every filled one."""
    asked = int(row["slots"]) if row.get("slots", "").isdigit() else 1
    filled = max(
        (k + 1 for k in range(DEMANDS_PER_POINT) if row.get(slot_field("demand", k), "").strip()),
        default=0,
    )
    return max(1, min(max(asked, filled), DEMANDS_PER_POINT))


def apply_button(action: str, rows: list[dict[str, str]], paste: str) -> list[dict[str, str]]:
    """The table after one of the form's buttons (not Save). Raises FieldProblem("paste")."""
    verb, _, where = action.partition(":")
    index = int(where) if where.isdigit() else -1
    if verb == "split":
        split = [{**blank_row(), "number": n, "text": t} for n, t in split_points(paste)]
        if len(split) > POINTS_MAX:
            raise FieldProblem("paste", f"a version holds at most {POINTS_MAX} points")
        return split
    if verb == "add" and len(rows) < POINTS_MAX:
        return [*rows, blank_row()]
    if not 0 <= index < len(rows):
        return rows
    if verb == "demand":
        rows[index]["slots"] = str(min(shown_slots(rows[index]) + 1, DEMANDS_PER_POINT))
        return rows
    if verb == "remove":
        return rows[:index] + rows[index + 1 :]
    if verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    if verb == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


def parse_value(raw: str) -> float | None:
    text = raw.strip().replace(",", "").replace(" ", "").replace("\u202f", "")
    if not text:
        return None
    if len(text) > VALUE_MAX_CHARS or not _VALUE.fullmatch(text):
        raise ValueError(
            f"write the value as a plain number of at most {VALUE_MAX_CHARS} characters "
            "(for example 600,000)"
        )
    return float(text)


def version_fields(
    values: dict[str, str], rows: list[dict[str, str]], *, source_id: int | None
) -> tuple[VersionFields | None, dict[str, str]]:
    """The write path's input, or the messages per field (named as on the form)."""
    errors: dict[str, str] = {}
    issued_on = None
    precision = None
    try:
        issued_on, precision = parse_typed_date(values.get("issued_on", ""))
    except InvalidDate as problem:
        errors["issued_on"] = str(problem)
    status = values.get("status", "")
    if status not in {s.value for s in VersionStatus}:
        errors["status"] = "Choose the status: official text, leaked or reported."
    if not rows:
        errors["rows"] = "A version needs its points: paste the numbered list and split it."
    points: list[PointFields] = []
    for i, row in enumerate(rows):
        point = _point(i, row, errors)
        if point is not None:
            points.append(point)
    if errors:
        return None, errors
    assert issued_on is not None and precision is not None
    try:
        fields = VersionFields(
            label=values.get("label", ""),
            issued_on=issued_on,
            issued_on_precision=precision,
            status=VersionStatus(status),
            source_id=source_id,
            points=points,
        )
    except ValueError as problem:  # pydantic's ValidationError is one
        return None, _pydantic_errors(problem)
    return fields, {}


def _point(i: int, row: dict[str, str], errors: dict[str, str]) -> PointFields | None:
    number = row["number"].strip()
    text = row["text"].strip()
    if not number:
        errors[f"p{i}_number"] = f"Row {i + 1} needs its number as printed (“7”, “12a”)."
    if not text:
        errors[f"p{i}_text"] = f"Row {i + 1} needs its text."
    demands = []
    seen: set[int] = set()
    for k in range(DEMANDS_PER_POINT):
        demand = _point_demand(i, k, number or str(i + 1), row, errors)
        if demand is None:
            continue
        if demand.demand_id in seen:
            errors[f"p{i}_{slot_field('demand', k)}"] = (
                f"Point {number or i + 1} names this demand twice: one stance per demand."
            )
            continue
        seen.add(demand.demand_id)
        demands.append(demand)
    predecessors = []
    if row["pred"].strip():
        try:
            change = ChangeKind(row["change"] or ChangeKind.UNCHANGED.value)
        except ValueError:
            errors[f"p{i}_change"] = f"Point {number or i + 1}: choose how it changed."
            change = ChangeKind.UNCHANGED
        # "3, 4" for a point merged from two.
        for pred in row["pred"].split(","):
            if pred.strip():
                predecessors.append(LineageFields(number=pred.strip()[:16], change=change))
    if not number or not text or len(number) > 16:
        if len(number) > 16:
            errors[f"p{i}_number"] = f"Row {i + 1}: a number as printed has 16 characters at most."
        return None
    try:
        return PointFields(number=number, text=text, demands=demands, predecessors=predecessors)
    except ValueError:
        errors[f"p{i}_text"] = f"Point {number}: the text is too long (2,000 characters at most)."
        return None


def _point_demand(
    i: int, k: int, number: str, row: dict[str, str], errors: dict[str, str]
) -> PointDemandFields | None:
    """Slot k of row i: a demand with its stance and optional value, or None (empty or wrong,
    with the message under the slot's own field)."""

    def name(field_name: str) -> str:
        return f"p{i}_{slot_field(field_name, k)}"

    raw = row.get(slot_field("demand", k), "").strip()
    if not raw:
        return None
    demand_id = whole_number(raw, low=1, high=MAX_ID)
    if demand_id is None:
        errors[name("demand")] = f"Point {number}: choose the demand from the list."
        return None
    try:
        stance = Stance(int(row.get(slot_field("stance", k), "")))
    except ValueError:
        errors[name("stance")] = f"Point {number}: choose the stance it takes."
        return None
    try:
        value = parse_value(row.get(slot_field("value", k), ""))
    except ValueError as problem:
        errors[name("value")] = f"Point {number}: {problem}."
        return None
    unit = row.get(slot_field("unit", k), "").strip() or None
    if unit and value is None:
        errors[name("unit")] = f"Point {number}: a unit needs its value."
        return None
    return PointDemandFields(demand_id=demand_id, stance=stance, value=value, unit=unit)


def _pydantic_errors(problem: ValueError) -> dict[str, str]:
    from pydantic import ValidationError

    if not isinstance(problem, ValidationError):
        return {"label": str(problem)}
    errors: dict[str, str] = {}
    for item in problem.errors():
        where = str(item["loc"][0]) if item["loc"] else "label"
        name = (
            where if where in LABELS else ("issued_on" if where.startswith("issued") else "label")
        )
        errors.setdefault(name, str(item["msg"]).removeprefix("Value error, ").capitalize() + ".")
    return errors


def form_field_of(problem: FieldProblem) -> str:
    """The form's name for a field the write path refused: "points[3].number" is p3_number."""
    match = re.fullmatch(r"points\[(\d+)\]\.(\w+)", problem.field)
    if match:
        part = {"number": "number", "demands": "demand", "predecessors": "pred"}.get(
            match.group(2), "text"
        )
        return f"p{match.group(1)}_{part}"
    return {"source_id": "source_url"}.get(problem.field, problem.field)
