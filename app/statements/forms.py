"""The add/edit statement form: what was typed, turned into validated input for the service.

One form serves add and edit. The source is named by its URL: a URL we know reuses that source
(pasting it is enough); a new URL creates the source from the fields beside it, in the same
submit. Nothing is written here; `parse_statement_form` only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.dates import InvalidDate, parse_typed_date, typed_form
from app.demands.service import DemandFields
from app.field_labels import FIELD_LABELS, SOURCE_FIELD_LABELS
from app.field_types import HttpUrl, whole_number
from app.ids import MAX_ID
from app.models import Demand, Party, Source, SourceKind, Statement
from app.models.statement_condition import CONDITIONS_MAX
from app.posted_forms import validate
from app.reactions import POINT_PREFIX, VERSION_PREFIX, answer_value
from app.sources.service import SourceFields, source_by_url
from app.stances import OffScale, Stance
from app.statements.service import ConditionFields, StatementFields, evidence_problems

# A source's field -> its name on this form.
SOURCE_FIELDS = {
    "url": "source_url",
    "title": "source_title",
    "publisher": "source_publisher",
    "published_on": "source_published_on",
    "kind": "source_kind",
}
# --- evidence (issue 18 items 3-4): form names are the column names ---
EVIDENCE_FIELDS = (
    "evidence",
    "evidence_outlet",
    "quote_language",
    "original_quote",
    "translated_by",
)
# --- end evidence ---
# Form field name -> the label a person sees, in the form's order.
LABELS = {
    "party": FIELD_LABELS["party_id"],
    "demand": FIELD_LABELS["demand_id"],
    **{name: FIELD_LABELS[name] for name in ("stance", "stated_on", "speaker", "summary", "quote")},
    # evidence (issue 18 items 3-4)
    **{name: FIELD_LABELS[name] for name in EVIDENCE_FIELDS},
    "new_demand_title": "New demand",
    "new_demand_slug": "New demand's slug",
    "new_demand_negotiation": "New demand's negotiation",
    **{form_name: SOURCE_FIELD_LABELS[name] for name, form_name in SOURCE_FIELDS.items()},
    # Issue 18, behind the form's "Partial, conditional or …" disclosure.
    "partial": "Partial",
    "scope_note": "Scope note",
    # One row per condition, numbered from 1: as many as the model holds (CONDITIONS_MAX).
    **{
        f"condition_{part}_{row}": f"{words} (condition {row})"
        for row in range(1, CONDITIONS_MAX + 1)
        for part, words in (
            ("demand", "Only if this demand is met"),
            ("party", "…by"),
            ("note", "Condition note"),
        )
    },
    "alternative_to": "Other option of the offer (statement number)",
    # reactions (issue 17)
    "answers": "Answers a proposal",
}
CONDITION_PARTS = ("demand", "party", "note")
# How many empty condition rows the form shows below the filled ones; "Add another condition"
# posts the form back for one more, so the form needs no script.
EMPTY_CONDITION_ROWS = 1
NUANCE_FIELDS = (
    "partial",
    "scope_note",
    *(name for name in LABELS if name.startswith("condition_")),
    "alternative_to",
)


def condition_field(part: str, row: int) -> str:
    return f"condition_{part}_{row}"


def filled_condition_rows(values: dict[str, str]) -> int:
    """How many condition rows hold something (rows are kept packed from 1: compact_conditions)."""
    return sum(
        1
        for row in range(1, CONDITIONS_MAX + 1)
        if any(values.get(condition_field(part, row), "").strip() for part in CONDITION_PARTS)
    )


def condition_rows(values: dict[str, str], asked: int = 0) -> int:
    """The rows the form shows: the filled ones, EMPTY_CONDITION_ROWS more, or as many as were
    asked for by "Add another condition"; never more than a statement can hold."""
    wanted = max(filled_condition_rows(values) + EMPTY_CONDITION_ROWS, asked, 1)
    return min(wanted, CONDITIONS_MAX)


def asked_condition_rows(form: dict[str, str]) -> int:
    """The rows a posted form showed (its hidden `condition_rows`), bounded: a forged count
    cannot make a bigger form."""
    return whole_number(form.get("condition_rows", ""), low=1, high=CONDITIONS_MAX) or 0


def compact_conditions(form: dict[str, str], values: dict[str, str]) -> None:
    """Rows ticked "remove" and empty rows go; the rest move up, so that row n is the n-th
    condition (the service's messages name rows by that position)."""
    kept = [
        tuple(form.get(condition_field(part, row), "") for part in CONDITION_PARTS)
        for row in range(1, CONDITIONS_MAX + 1)
        if not form.get(f"condition_remove_{row}")
        and any(form.get(condition_field(part, row), "").strip() for part in CONDITION_PARTS)
    ]
    for row in range(1, CONDITIONS_MAX + 1):
        cells = kept[row - 1] if row <= len(kept) else ("", "", "")
        for part, value in zip(CONDITION_PARTS, cells, strict=True):
            values[condition_field(part, row)] = value


def nuance_open(values: dict[str, str], errors: dict[str, str]) -> bool:
    """The disclosure opens by itself when one of its fields is set, or wrong."""
    return any(values.get(name) for name in NUANCE_FIELDS) or any(
        name in errors for name in NUANCE_FIELDS
    )


@dataclass
class StatementForm:
    """A parsed submit: valid input and the records it names, or a message per field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    fields: StatementFields | None = None
    party: Party | None = None
    demand: Demand | None = None
    # Input for a demand added from this form, when none was chosen from the list.
    new_demand: DemandFields | None = None
    # The known source the URL names, or the input for a new one.
    source: Source | None = None
    new_source: SourceFields | None = None
    # The condition rows the posted form showed (its hidden `condition_rows`; 0: not said).
    condition_rows: int = 0


def form_values(statement: Statement, source: Source) -> dict[str, str]:
    """A stored statement as the form shows it."""
    return {
        "party": str(statement.party_id),
        "demand": str(statement.demand_id),
        "stance": str(statement.stance),
        "stated_on": typed_form(statement.stated_on, statement.stated_on_precision),
        "speaker": statement.speaker or "",
        "summary": statement.summary,
        "quote": statement.quote or "",
        # evidence (issue 18 items 3-4)
        **{name: getattr(statement, name) or "" for name in EVIDENCE_FIELDS},
        **source_values(source),
        **nuance_values(statement),
        "answers": answer_value(statement.answers_version_id, statement.answers_point_id),
    }


def nuance_values(statement: Statement) -> dict[str, str]:
    off_scale = statement.off_scale or ""
    values = {
        "stance": off_scale if statement.stance is None else str(statement.stance),
        "partial": "yes" if statement.partial else "",
        "scope_note": statement.scope_note or "",
        "alternative_to": str(statement.alternative_to_id or ""),
        **{name: "" for name in LABELS if name.startswith("condition_")},
    }
    conditions = statement.snapshot().get("conditions") or []
    for row, condition in enumerate(conditions[:CONDITIONS_MAX], start=1):
        values[condition_field("demand", row)] = str(condition["demand_id"])
        values[condition_field("party", row)] = str(condition["party_id"] or "")
        values[condition_field("note", row)] = condition["note"] or ""
    return values


def source_values(source: Source) -> dict[str, str]:
    return {
        "source_url": source.url,
        "source_title": source.title,
        "source_publisher": source.publisher,
        "source_published_on": typed_form(source.published_on, source.published_on_precision),
        "source_kind": source.kind,
    }


def _record(session: Session, model: type[Party] | type[Demand], raw: str) -> Any:
    record_id = whole_number(raw, low=1, high=MAX_ID)
    return None if record_id is None else session.get(model, record_id)


def parse_statement_form(session: Session, form: dict[str, str]) -> StatementForm:
    values = {name: form.get(name, "") for name in LABELS}
    compact_conditions(form, values)
    result = StatementForm(values=values, condition_rows=asked_condition_rows(form))
    errors = result.errors

    result.party = _record(session, Party, values["party"])
    if result.party is None:
        errors["party"] = "Choose a party from the list." if values["party"] else "Choose a party."
    _parse_demand(session, values, result)

    statement_input: dict[str, Any] = {
        "stance": values["stance"] or None,
        "speaker": values["speaker"],
        "summary": values["summary"],
        "quote": values["quote"],
        # evidence (issue 18 items 3-4)
        **{name: values[name] for name in EVIDENCE_FIELDS},
        "evidence": values["evidence"] or None,  # "Not recorded"
    }
    # The precision is what was typed (2025, 2025-06, 2025-06-03): there is no menu to disagree.
    if not values["stated_on"].strip():
        errors["stated_on"] = "Give the date the statement was made."
    else:
        try:
            stated_on, precision = parse_typed_date(values["stated_on"])
            statement_input["stated_on"] = stated_on
            statement_input["stated_on_precision"] = precision
        except InvalidDate as problem:
            errors["stated_on"] = str(problem)
    if statement_input["stance"] in {o.value for o in OffScale}:
        statement_input["off_scale"] = statement_input.pop("stance")
        statement_input["stance"] = None
    elif statement_input["stance"] is not None and not _is_stance(statement_input["stance"]):
        statement_input["stance"] = "not a stance"
    elif statement_input["stance"] is None:
        statement_input["stance"] = "not a stance"  # required: say so in the stance's words
    _parse_nuance(values, statement_input, errors)
    _parse_answers(values["answers"], statement_input, errors)
    fields, problems = validate(StatementFields, statement_input, whole_form_field="stated_on")
    for name, message in problems.items():
        if name == "stance":
            message = "Choose one of the five stances, or declined to say, or ambiguous."
        elif name == "stated_on" and _is_nuance_message(message):
            name = "scope_note"
        elif name.startswith("conditions"):
            name = _condition_problem_field(name)
        elif name == "alternative_to_id":
            name = "alternative_to"
        elif name.startswith("answers_"):
            name = "answers"
        if name == "evidence":
            message = "Choose how the source knows from the list."
        errors.setdefault(name, message)
    result.fields = fields
    # --- evidence (issue 18 items 3-4) ---
    if fields is not None:
        for name, message in evidence_problems(fields).items():
            errors.setdefault(name, message)
    # --- end evidence ---

    _parse_source(session, values, result)
    if errors:
        result.fields = None
    return result


def _parse_demand(session: Session, values: dict[str, str], result: StatementForm) -> None:
    """A demand from the list, or a new one named in "Add a new demand" (created on save)."""
    errors = result.errors
    new_title = values["new_demand_title"].strip()
    if values["demand"]:
        result.demand = _record(session, Demand, values["demand"])
        if result.demand is None:
            errors["demand"] = "Choose a demand from the list."
        elif new_title:
            errors["new_demand_title"] = (
                "You chose a demand from the list and typed a new one: clear one of the two."
            )
        return
    if not new_title:
        errors["demand"] = "Choose a demand, or add a new one below the list."
        return
    slug = values["new_demand_slug"].strip() or None
    # Empty: the statement's negotiation, worked out on save (app/statements/edit_routes.py).
    talks_raw = values["new_demand_negotiation"].strip()
    talks = whole_number(talks_raw, low=1, high=MAX_ID) if talks_raw else None
    if talks_raw and talks is None:
        errors["new_demand_negotiation"] = "Choose a negotiation from the list."
    fields, problems = validate(
        DemandFields, {"title": new_title, "slug": slug, "negotiation_id": talks}
    )
    for name, message in problems.items():
        if name == "slug":
            message = "Use lower-case letters, digits and hyphens, or leave it empty."
        errors.setdefault(f"new_demand_{name}" if name == "slug" else "new_demand_title", message)
    result.new_demand = fields


def _is_stance(raw: str) -> bool:
    number = whole_number(raw, low=-9, high=9)
    if number is None:
        return False
    try:
        Stance(number)
    except ValueError:
        return False
    return True


def _parse_source(session: Session, values: dict[str, str], result: StatementForm) -> None:
    errors = result.errors
    url, problems = validate(_UrlOnly, {"url": values["source_url"]})
    if problems or url is None:
        errors["source_url"] = (
            problems.get("url", "Give the source's web address.")
            if values["source_url"].strip()
            else "Give the web address of the source (paste it from the browser)."
        )
        return
    known = source_by_url(session, url.url)
    if known is not None:
        result.source = known
        _refuse_changes_to_known(known, values, errors)
        if not any(name in errors for name in SOURCE_FIELDS.values()):
            # Shown read-only, so the form "says" what is stored (a conflict page compares it).
            values.update(source_values(known))
        return
    published_raw = values["source_published_on"].strip()
    source_input: dict[str, Any] = {
        "url": url.url,
        "title": values["source_title"],
        "publisher": values["source_publisher"],
        "kind": values["source_kind"] or SourceKind.NEWS_REPORT.value,
    }
    if published_raw:
        try:
            published_on, precision = parse_typed_date(published_raw)
        except InvalidDate as problem:
            errors["source_published_on"] = str(problem)
            return
        source_input["published_on"] = published_on
        source_input["published_on_precision"] = precision
    new_source, problems = validate(SourceFields, source_input, whole_form_field="published_on")
    for name, message in problems.items():
        form_name = SOURCE_FIELDS.get(name, "source_url")
        if name in ("title", "publisher") and not values[form_name].strip():
            message = f"A new source needs its {LABELS[form_name].lower()}."
        errors.setdefault(form_name, message)
    result.new_source = new_source


def _refuse_changes_to_known(known: Source, values: dict[str, str], errors: dict[str, str]) -> None:
    """A statement form never edits a known source (it has its own form, version and history).

    The form shows a known source read-only; if details typed beside its URL differ from what is
    stored (a form filled in by hand, without scripts), say so instead of dropping them.
    """
    stored = source_values(known)
    typed = {name: values[name].strip() for name in SOURCE_FIELDS.values() if name != "source_url"}
    if not (typed["source_title"] or typed["source_publisher"] or typed["source_published_on"]):
        return  # nothing typed: the known source as it is
    for name, value in typed.items():
        if value and value != stored[name]:
            errors[name] = (
                f"This URL is the known source “{known.title}”, and this form does not change "
                "it. Clear this field to use the source as it is, or edit the source on its "
                "own page."
            )


class _UrlOnly(BaseModel):
    """The URL checked alone first: a known one is all the form needs to name its source."""

    url: HttpUrl


# --- issue 18 ---

_NUANCE_WORDS = ("partial", "scope note", "off the scale")


def _is_nuance_message(message: str) -> bool:
    return any(word in message for word in _NUANCE_WORDS)


def _parse_nuance(
    values: dict[str, str], statement_input: dict[str, Any], errors: dict[str, str]
) -> None:
    statement_input["partial"] = bool(values["partial"])
    statement_input["scope_note"] = values["scope_note"]
    if values["alternative_to"].strip():
        other = whole_number(values["alternative_to"], low=1, high=MAX_ID)
        if other is None:
            errors["alternative_to"] = "Give the other option's statement number, e.g. 412."
        else:
            statement_input["alternative_to_id"] = other
    conditions = []
    for row in range(1, filled_condition_rows(values) + 1):
        demand_raw = values[condition_field("demand", row)].strip()
        party_raw = values[condition_field("party", row)].strip()
        note = values[condition_field("note", row)]
        if not demand_raw:
            errors[condition_field("demand", row)] = (
                "Choose the demand the condition is on, or tick “remove” to clear the condition."
            )
            continue
        demand_id = whole_number(demand_raw, low=1, high=MAX_ID)
        party_id = whole_number(party_raw, low=1, high=MAX_ID) if party_raw else None
        if demand_id is None:
            errors[condition_field("demand", row)] = "Choose the demand from the list."
        elif party_raw and party_id is None:
            errors[condition_field("party", row)] = "Choose the party from the list."
        else:
            condition = {"demand_id": demand_id, "party_id": party_id, "note": note}
            # Each row checked alone, so that a problem is named on its own row's field.
            _fields, problems = validate(ConditionFields, condition)
            for name, message in problems.items():
                part = "note" if name == "note" else ("party" if name == "party_id" else "demand")
                errors.setdefault(condition_field(part, row), message)
            if not problems:
                conditions.append(condition)
    if conditions:
        statement_input["conditions"] = conditions


def _condition_problem_field(location: str) -> str:
    """A problem pydantic found in `conditions` ("conditions", or "conditions.1.note"), named by
    its form field: the rows are packed, so the n-th condition is row n + 1."""
    parts = location.split(".")
    row = int(parts[1]) + 1 if len(parts) > 1 and parts[1].isdigit() else 1
    part = "note" if parts[-1] == "note" else "demand"
    return condition_field(part, min(row, CONDITIONS_MAX))


# --- reactions (issue 17) ---


def _parse_answers(raw: str, statement_input: dict[str, Any], errors: dict[str, str]) -> None:
    """ "version:12" or "point:345" from the list; the service checks it is of these talks."""
    raw = raw.strip()
    if not raw:
        return
    for prefix, name in (
        (VERSION_PREFIX, "answers_version_id"),
        (POINT_PREFIX, "answers_point_id"),
    ):
        if raw.startswith(prefix):
            record_id = whole_number(raw[len(prefix) :], low=1, high=MAX_ID)
            if record_id is not None:
                statement_input[name] = record_id
                return
    errors["answers"] = "Choose the version or point it answers from the list, or none."
