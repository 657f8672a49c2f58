"""Parties, demands, sources, negotiations and participations as editors manage them: the
fields of each form, in one place.

They have the same life (list, add, edit, history, bring back), so one set of routes serves
them; what differs (fields, labels, the service functions) is declared here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dates import InvalidDate, parse_typed_date, typed_form
from app.demands.service import DemandFields, create_demand, update_demand
from app.field_labels import FIELD_LABELS, SOURCE_FIELD_LABELS
from app.field_types import whole_number
from app.ids import MAX_ID
from app.models import (
    Demand,
    Negotiation,
    NegotiationStatus,
    Participation,
    ParticipationRole,
    Party,
    PartyKind,
    Source,
    SourceKind,
    User,
)
from app.models.base import Versioned
from app.negotiations.queries import editable_negotiations
from app.negotiations.service import (
    NegotiationFields,
    ParticipationFields,
    create_negotiation,
    create_participation,
    update_negotiation,
    update_participation,
)
from app.parties.service import PartyFields, create_party, update_party
from app.sources.service import SourceFields, create_source, update_source


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    widget: str = "text"  # text, textarea, select, number, colour
    required: bool = True
    maxlength: int | None = None
    hint: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    # Choices read from the database (the negotiations, the parties), when they are records:
    # only those the account may write to.
    choices_from: Callable[[Session, User], tuple[tuple[str, str], ...]] | None = None


@dataclass(frozen=True)
class Kind:
    slug: str
    singular: str
    plural: str
    model: type[Versioned]
    fields_model: type[BaseModel]
    fields: tuple[Field, ...]
    create: Callable[..., Any]
    update: Callable[..., Any]
    title: Callable[[Any], str]
    # The form as typed -> input for fields_model, plus messages for fields it could not read.
    to_input: Callable[[dict[str, str]], tuple[dict[str, Any], dict[str, str]]]
    to_form: Callable[[Any], dict[str, str]]
    # What a new record's form starts with.
    defaults: tuple[tuple[str, str], ...] = ()
    # The list's second column.
    details: Callable[[Any], str] = lambda record: str(record.slug)

    @property
    def entity_type(self) -> str:
        return self.model.ENTITY_TYPE

    @property
    def labels(self) -> dict[str, str]:
        return {f.name: f.label for f in self.fields}

    @property
    def admins_only(self) -> bool:
        return self.model.ADMINS_ONLY

    @property
    def scoped(self) -> bool:
        """Its records belong to a negotiation: an editor sees and edits only theirs."""
        return self.model.NEGOTIATION_COLUMN is not None

    def choices(self, session: Session, user: User) -> dict[str, tuple[tuple[str, str], ...]]:
        """Each select field's choices, those from the database read now."""
        return {
            f.name: f.choices_from(session, user) if f.choices_from else f.choices
            for f in self.fields
            if f.widget == "select"
        }


def negotiation_choices(session: Session, user: User) -> tuple[tuple[str, str], ...]:
    return tuple((str(n.id), n.title) for n in editable_negotiations(session, user))


def party_choices(session: Session, user: User) -> tuple[tuple[str, str], ...]:
    rows = session.execute(select(Party.id, Party.name).order_by(Party.name))
    return tuple((str(id_), name) for id_, name in rows)


def _record_id(
    form: dict[str, str], name: str, values: dict[str, Any], errors: dict[str, str]
) -> None:
    """A select of records: its id as a number, None when empty (the service decides)."""
    raw = form.get(name, "").strip()
    if not raw:
        values[name] = None
        return
    number = whole_number(raw, low=1, high=MAX_ID)
    if number is None:
        errors[name] = "Choose one of the list."
    values[name] = number


def _order(form: dict[str, str], values: dict[str, Any], errors: dict[str, str]) -> None:
    raw = form.get("display_order", "").strip()
    if not raw:
        return
    number = whole_number(raw, low=-99_999_999, high=99_999_999)
    if number is None:
        errors["display_order"] = "Give a whole number (digits 0-9), such as 10."
        return
    values["display_order"] = number


def _field(
    name: str, widget: str = "text", *, labels: dict[str, str] = FIELD_LABELS, **options: Any
) -> Field:
    """A form field labelled in the words every page uses for it (app/field_labels.py)."""
    return Field(name, labels[name], widget, **options)


def _plain(
    names: tuple[str, ...],
) -> Callable[[dict[str, str]], tuple[dict[str, Any], dict[str, str]]]:
    def to_input(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        return {name: form.get(name, "") for name in names}, {}

    return to_input


def _snapshot_form(entity: Any) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in entity.snapshot().items()}


def _demand_input(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {n: form.get(n, "") for n in ("slug", "title", "description")}
    # Empty slug: made from the title; empty order: last; no negotiation: the only one (all
    # decided by the service).
    values["slug"] = values["slug"].strip() or None
    errors: dict[str, str] = {}
    _record_id(form, "negotiation_id", values, errors)
    _order(form, values, errors)
    return values, errors


def _negotiation_input(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {n: form.get(n, "") for n in ("slug", "title", "description")}
    values["status"] = form.get("status", "") or NegotiationStatus.ACTIVE.value
    errors: dict[str, str] = {}
    # One of the two choices, or (an old form without the field) unchanged.
    review = form.get("statements_need_review", "")
    if review in ("True", "False"):
        values["statements_need_review"] = review == "True"
    elif review:
        errors["statements_need_review"] = "Choose yes or no."
    raw = form.get("status_changed_on", "").strip()
    if raw:
        try:
            values["status_changed_on"] = dt.date.fromisoformat(raw)
        except ValueError:
            errors["status_changed_on"] = "Give a date as YYYY-MM-DD, or leave it empty."
    _order(form, values, errors)
    return values, errors


def _participation_input(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {"role": form.get("role", "")}
    errors: dict[str, str] = {}
    for name in ("negotiation_id", "party_id"):
        _record_id(form, name, values, errors)
        if values[name] is None:
            errors.setdefault(name, "Choose one of the list.")
    _order(form, values, errors)
    return values, errors


def _source_input(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    names = ("url", "title", "publisher", "kind", "archive_url")
    values: dict[str, Any] = {n: form.get(n, "") for n in names}
    raw = form.get("published_on", "").strip()
    if raw:
        try:
            values["published_on"], values["published_on_precision"] = parse_typed_date(raw)
        except InvalidDate as problem:
            return values, {"published_on": str(problem)}
    return values, {}


def _source_form(source: Source) -> dict[str, str]:
    return {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "published_on": typed_form(source.published_on, source.published_on_precision),
        "kind": source.kind,
        "archive_url": source.archive_url or "",
    }


PARTIES = Kind(
    slug="parties",
    singular="party",
    plural="parties",
    model=Party,
    fields_model=PartyFields,
    fields=(
        _field("slug", maxlength=64, hint="Lower-case words joined by hyphens; in URLs."),
        _field("name", maxlength=200),
        _field("short_name", maxlength=40, hint="For narrow columns, e.g. U.S."),
        _field("kind", "select", choices=tuple((k.value, k.value) for k in PartyKind)),
        _field("colour", "colour", hint="An accent for the party's charts."),
        _field("description", "textarea", required=False, maxlength=4000),
    ),
    create=create_party,
    update=update_party,
    title=lambda party: party.name,
    to_input=_plain(("slug", "name", "short_name", "kind", "colour", "description")),
    to_form=_snapshot_form,
    defaults=(("kind", PartyKind.STATE.value), ("colour", "#336699")),
)

DEMANDS = Kind(
    slug="demands",
    singular="demand",
    plural="demands",
    model=Demand,
    fields_model=DemandFields,
    fields=(
        _field(
            "negotiation_id",
            "select",
            choices_from=negotiation_choices,
            hint="The talks this demand is on the table of.",
        ),
        _field(
            "slug",
            required=False,
            maxlength=64,
            hint="In URLs. Leave empty to make it from the title.",
        ),
        _field("title", maxlength=300, hint="A proposition a party can back or reject."),
        _field("description", "textarea", required=False, maxlength=4000),
        _field(
            "display_order",
            "number",
            required=False,
            hint="Smaller comes first. Leave empty to put a new demand last.",
        ),
    ),
    create=create_demand,
    update=update_demand,
    title=lambda demand: demand.title,
    to_input=_demand_input,
    to_form=_snapshot_form,
)

NEGOTIATIONS = Kind(
    slug="negotiations",
    singular="negotiation",
    plural="negotiations",
    model=Negotiation,
    fields_model=NegotiationFields,
    fields=(
        _field("slug", maxlength=64, hint="Lower-case words joined by hyphens; in URLs."),
        _field("title", maxlength=200, hint="Such as: Russia–Ukraine talks."),
        Field(
            "description",
            "Short description",
            "textarea",
            required=False,
            maxlength=1000,
            hint="A line or two for the list of negotiations.",
        ),
        _field("status", "select", choices=tuple((s.value, s.value) for s in NegotiationStatus)),
        _field(
            "status_changed_on",
            required=False,
            maxlength=10,
            hint="YYYY-MM-DD. Leave empty: today when the status changes.",
        ),
        _field(
            "display_order",
            "number",
            required=False,
            hint="Smaller comes first. Leave empty to put a new negotiation last.",
        ),
        # Review (issue 19): whether a second editor publishes each statement.
        Field(
            "statements_need_review",
            "Statements need review",
            "select",
            choices=(
                ("True", "Yes: a statement is a draft until another editor publishes it"),
                ("False", "No: a statement is public as soon as it is saved"),
            ),
            hint="Turning it off publishes nothing by itself: drafts waiting stay drafts.",
        ),
    ),
    create=create_negotiation,
    update=update_negotiation,
    title=lambda negotiation: negotiation.title,
    to_input=_negotiation_input,
    to_form=_snapshot_form,
    defaults=(("status", NegotiationStatus.ACTIVE.value), ("statements_need_review", "True")),
)

PARTICIPATIONS = Kind(
    slug="participations",
    singular="participation",
    plural="participations",
    model=Participation,
    fields_model=ParticipationFields,
    fields=(
        _field("negotiation_id", "select", choices_from=negotiation_choices),
        _field(
            "party_id",
            "select",
            choices_from=party_choices,
            hint="A party's statements count only in the negotiations it takes part in.",
        ),
        _field("role", "select", choices=tuple((r.value, r.label) for r in ParticipationRole)),
        _field(
            "display_order",
            "number",
            required=False,
            hint="Smaller comes first. Leave empty to put a new participant last.",
        ),
    ),
    create=create_participation,
    update=update_participation,
    # The list and form load both (app/catalog/queries.py): relationships never load lazily.
    title=lambda p: f"{p.party.name} in {p.negotiation.title}",
    to_input=_participation_input,
    to_form=_snapshot_form,
    defaults=(("role", ParticipationRole.PARTY.value),),
    details=lambda p: ParticipationRole(p.role).label,
)

SOURCES = Kind(
    slug="sources",
    singular="source",
    plural="sources",
    model=Source,
    fields_model=SourceFields,
    fields=(
        _field("url", labels=SOURCE_FIELD_LABELS, maxlength=2000, hint="http:// or https:// only."),
        _field("title", labels=SOURCE_FIELD_LABELS, maxlength=500),
        _field("publisher", labels=SOURCE_FIELD_LABELS, maxlength=200),
        _field(
            "published_on",
            labels=SOURCE_FIELD_LABELS,
            required=False,
            maxlength=10,
            hint="Optional: YYYY-MM-DD, YYYY-MM or YYYY.",
        ),
        _field(
            "kind",
            "select",
            labels=SOURCE_FIELD_LABELS,
            choices=tuple((k.value, k.label) for k in SourceKind),
        ),
        _field(
            "archive_url",
            labels=SOURCE_FIELD_LABELS,
            required=False,
            maxlength=2000,
            hint="Optional: an archived copy (http:// or https://), linked when the original "
            "is gone.",
        ),
    ),
    create=create_source,
    update=update_source,
    title=lambda source: source.title,
    to_input=_source_input,
    to_form=_source_form,
    defaults=(("kind", SourceKind.NEWS_REPORT.value),),
)

KINDS = {kind.slug: kind for kind in (PARTIES, DEMANDS, SOURCES, NEGOTIATIONS, PARTICIPATIONS)}
