"""Writes to statements, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.dates import DatePrecision, is_period_start
from app.evidence import Evidence, language_tag
from app.exceptions import AlreadyRetracted, FieldProblem, NotADraft, OwnStatement
from app.field_types import (
    ConditionNote,
    LanguageTag,
    Outlet,
    Quote,
    RetractionReason,
    ScopeNote,
    Speaker,
    StoredDate,
    Summary,
    Translator,
)
from app.ids import MAX_ID
from app.models import (
    Action,
    Demand,
    Negotiation,
    Party,
    ProposalPoint,
    ProposalVersion,
    Revision,
    Source,
    Statement,
    StatementCondition,
    User,
)
from app.models.base import utcnow
from app.models.statement_condition import CONDITIONS_MAX
from app.models.statement_correction import NOTE_MAX as CORRECTION_NOTE_MAX
from app.negotiations.queries import takes_part
from app.revisions import Correction, add_with_revision, update_with_revision
from app.stances import OffScale, Stance


class ConditionFields(BaseModel):
    """ "Only if" another demand of the same negotiation is met (optionally by a named party)."""

    model_config = ConfigDict(extra="forbid")

    demand_id: int = Field(ge=1, le=MAX_ID)
    party_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    note: ConditionNote = None


class StatementFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # None exactly when off_scale says why (issue 18; checked below).
    stance: Stance | None
    stated_on: StoredDate
    stated_on_precision: DatePrecision = DatePrecision.DAY
    speaker: Speaker = None
    summary: Summary
    quote: Quote = None
    # --- issue 18: scope, conditions, offers, off the scale. ---
    off_scale: OffScale | None = None
    partial: bool = False
    scope_note: ScopeNote = None
    conditions: list[ConditionFields] = Field(default_factory=list, max_length=CONDITIONS_MAX)
    alternative_to_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    # --- reactions (issue 17): the proposal version, or one point of it, this answers ---
    answers_version_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    answers_point_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def _scope_is_said(self) -> StatementFields:
        if (self.stance is None) == (self.off_scale is None):
            raise ValueError("choose a stance on the scale, or declined to say, or ambiguous")
        if self.off_scale is not None and (self.partial or self.scope_note):
            raise ValueError(
                "an answer off the scale cannot be partial: clear the scope note, "
                "or choose a stance"
            )
        if self.partial and not self.scope_note:
            raise ValueError("a partial stance needs a scope note saying which part it covers")
        if self.scope_note and not self.partial:
            raise ValueError("tick partial for a scope note, or clear the note")
        return self

    # --- end of issue 18 ---
    # --- evidence (issue 18 items 3-4) ---
    evidence: Evidence | None = None
    evidence_outlet: Outlet = None
    quote_language: LanguageTag = None
    original_quote: Quote = None
    translated_by: Translator = None

    @field_validator("quote_language")
    @classmethod
    def _a_language_tag(cls, value: str | None) -> str | None:
        return None if value is None else language_tag(value)

    # --- end evidence ---

    @model_validator(mode="after")
    def _date_is_known_and_past(self) -> StatementFields:
        if not is_period_start(self.stated_on, self.stated_on_precision):
            raise ValueError(
                f"a date known only to the {self.stated_on_precision.value} cannot name a day: "
                "give the month or year alone"
            )
        if self.stated_on > dt.date.today():
            raise ValueError("the date stated cannot be in the future")
        return self


# --- evidence (issue 18 items 3-4) ---
def evidence_problems(fields: StatementFields) -> dict[str, str]:
    """What does not agree among the evidence and original-quote fields, by field."""
    problems: dict[str, str] = {}
    if fields.evidence == Evidence.OTHER_OUTLET and not fields.evidence_outlet:
        problems["evidence_outlet"] = "Name the outlet the source cites."
    if fields.evidence_outlet and fields.evidence != Evidence.OTHER_OUTLET:
        problems["evidence_outlet"] = (
            "An outlet is named only when the source reports another outlet: clear it, or "
            "choose “reported by another outlet”."
        )
    if fields.original_quote and not fields.quote_language:
        problems["quote_language"] = "Give the language of the original (a tag such as uk or ru)."
    if fields.quote_language and not fields.original_quote:
        problems["original_quote"] = "Give the quote in its original language, or clear the tag."
    if fields.original_quote and not fields.quote:
        problems["quote"] = "Give the English translation of the original quote here."
    if fields.original_quote and not fields.translated_by:
        problems["translated_by"] = "Say who translated it: the source, or the editor (named)."
    if fields.translated_by and not fields.original_quote:
        problems["translated_by"] = "A translator is named only for a quote in another language."
    return problems


# --- end evidence ---


class LooksLikeDuplicate(Exception):
    """A new statement would repeat one already stored (same party, demand, stance, date and
    source): the editor is asked before a second copy is saved."""

    def __init__(self, existing: Statement) -> None:
        super().__init__(f"looks like statement #{existing.id}")
        self.existing = existing


class RetractionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: RetractionReason


class NotTakingPart(FieldProblem):
    """The statement's party does not take part in its demand's negotiation."""


def check_takes_part(session: Session, party: Party, demand: Demand) -> None:
    """Say which field is wrong before the database's key (statement → participation) refuses."""
    if not takes_part(session, negotiation_id=demand.negotiation_id, party_id=party.id):
        negotiation = session.get(Negotiation, demand.negotiation_id)
        talks = negotiation.title if negotiation is not None else "this negotiation"
        raise NotTakingPart(
            "party",
            f"{party.name} does not take part in {talks}, where this demand is: "
            "add the party to those talks first, or choose another demand",
        )


def _values(
    session: Session, fields: StatementFields, party: Party, demand: Demand, source: Source
) -> dict[str, Any]:
    check_takes_part(session, party, demand)
    check_nuance(session, fields, party, demand)
    answers_version_id, answers_point_id = check_answers(session, fields, demand)
    # The form says these beside each field first; the API and any other caller meet them here.
    for name, message in evidence_problems(fields).items():
        raise FieldProblem(name, message)
    return {
        "party_id": party.id,
        "demand_id": demand.id,
        "negotiation_id": demand.negotiation_id,
        "source_id": source.id,
        "stance": None if fields.stance is None else int(fields.stance),
        "stated_on": fields.stated_on,
        "stated_on_precision": fields.stated_on_precision.value,
        "speaker": fields.speaker,
        "summary": fields.summary,
        "quote": fields.quote,
        "off_scale": None if fields.off_scale is None else fields.off_scale.value,
        "partial": fields.partial,
        "scope_note": fields.scope_note,
        "alternative_to_id": _offer_root(session, fields.alternative_to_id),
        # evidence (issue 18 items 3-4)
        "evidence": fields.evidence.value if fields.evidence else None,
        "evidence_outlet": fields.evidence_outlet,
        "quote_language": fields.quote_language,
        "original_quote": fields.original_quote,
        "translated_by": fields.translated_by,
        # reactions (issue 17)
        "answers_version_id": answers_version_id,
        "answers_point_id": answers_point_id,
    }


# --- issue 18: conditions and offers, checked field by field before the database's keys ---


class NuanceProblem(FieldProblem):
    """A condition or offer the statement cannot carry (the message names the form field)."""


def check_nuance(session: Session, fields: StatementFields, party: Party, demand: Demand) -> None:
    seen: set[tuple[int, int | None]] = set()
    # The form's rows are packed from 1 (app/statements/forms.py), so the n-th condition is on
    # row n: each message names the row it is about.
    for row, condition in enumerate(fields.conditions, start=1):
        other = session.get(Demand, condition.demand_id)
        if other is None or other.negotiation_id != demand.negotiation_id:
            raise NuanceProblem(
                f"condition_demand_{row}",
                "A condition must be another demand of the same negotiation: choose one "
                "from this statement's talks",
            )
        if other.id == demand.id:
            raise NuanceProblem(
                f"condition_demand_{row}", "A stance cannot be conditional on its own demand"
            )
        if condition.party_id is not None and not takes_part(
            session, negotiation_id=demand.negotiation_id, party_id=condition.party_id
        ):
            raise NuanceProblem(
                f"condition_party_{row}",
                "The party who must meet the condition takes no part in these talks",
            )
        key = (condition.demand_id, condition.party_id)
        if key in seen:
            raise NuanceProblem(
                f"condition_demand_{row}", "The same condition is given twice: remove one"
            )
        seen.add(key)
    if fields.alternative_to_id is not None:
        other_option = session.get(Statement, fields.alternative_to_id)
        if (
            other_option is None
            or other_option.party_id != party.id
            or other_option.negotiation_id != demand.negotiation_id
        ):
            raise NuanceProblem(
                "alternative_to",
                "The other option of an offer must be a statement by the same party in the "
                "same negotiation: give its number (shown on its page)",
            )


def check_offer_of_two(statement_id: int | None, fields: StatementFields) -> None:
    if statement_id is not None and fields.alternative_to_id == statement_id:
        raise NuanceProblem(
            "alternative_to",
            "An offer needs two options: name the other statement, not this one",
        )


def _offer_root(session: Session, alternative_to_id: int | None) -> int | None:
    """Options all point at the offer's first statement, so an offer is one flat group."""
    if alternative_to_id is None:
        return None
    other = session.get(Statement, alternative_to_id)
    if other is not None and other.alternative_to_id is not None:
        return other.alternative_to_id
    return alternative_to_id


def replace_conditions(
    session: Session, statement: Statement, conditions: list[ConditionFields]
) -> None:
    """Make the statement's condition rows these (before its revision is recorded)."""
    existing = list(
        session.scalars(
            select(StatementCondition).where(StatementCondition.statement_id == statement.id)
        )
    )
    wanted = [(c.demand_id, c.party_id, c.note) for c in conditions]
    if [(c.demand_id, c.party_id, c.note) for c in existing] == wanted:
        return
    for row in existing:
        session.delete(row)
    session.flush()
    for demand_id, party_id, note in wanted:
        session.add(
            StatementCondition(
                statement_id=statement.id,
                negotiation_id=statement.negotiation_id,
                demand_id=demand_id,
                party_id=party_id,
                note=note,
            )
        )
    session.flush()


# --- end of issue 18 ---


# --- reactions (issue 17) ---


class AnswerProblem(FieldProblem):
    """The version or point a statement answers is not one of its own negotiation's."""


def check_answers(
    session: Session, fields: StatementFields, demand: Demand
) -> tuple[int | None, int | None]:
    """The (version, point) the statement answers, the point's version filled in. Said field
    by field before the database's composite keys refuse the same."""
    refused = AnswerProblem(
        "answers",
        "A statement answers a proposal of its own negotiation only: choose a version or "
        "point from this demand's talks, or none",
    )
    version_id, point_id = fields.answers_version_id, fields.answers_point_id
    if point_id is not None:
        point = session.get(ProposalPoint, point_id)
        if point is None or point.negotiation_id != demand.negotiation_id:
            raise refused
        if version_id is not None and version_id != point.version_id:
            raise AnswerProblem("answers", "That point is not one of the version named")
        return point.version_id, point.id
    if version_id is not None:
        version = session.get(ProposalVersion, version_id)
        if version is None or version.negotiation_id != demand.negotiation_id:
            raise refused
    return version_id, None


# --- end reactions ---


def create_statement(
    session: Session,
    fields: StatementFields,
    *,
    party: Party,
    demand: Demand,
    source: Source,
    user: User,
    submission_key: str | None = None,
) -> Statement:
    statement = Statement(
        **_values(session, fields, party, demand, source),
        created_by_id=user.id,
        submission_key=submission_key,
        published_at=None if needs_review(session, demand.negotiation_id) else utcnow(),
    )
    if fields.conditions:
        # The conditions need the row's id, and the first revision must carry them.
        session.add(statement)
        session.flush()
        replace_conditions(session, statement, fields.conditions)
    add_with_revision(session, statement, user=user)
    return statement


def statement_for_submission(session: Session, submission_key: str) -> Statement | None:
    """The statement an earlier submit of the same add form created, if any."""
    return session.scalar(select(Statement).where(Statement.submission_key == submission_key))


def near_duplicate(
    session: Session, fields: StatementFields, *, party: Party, demand: Demand, source: Source
) -> Statement | None:
    """The newest live statement saying the same thing from the same source, if there is one.

    The summary, speaker and quote are left out on purpose: a second entry of the same news
    item is usually worded a little differently.
    """
    if source.id is None:  # a source created by this very submit has no statements yet
        return None
    return session.scalar(
        select(Statement)
        .where(
            Statement.party_id == party.id,
            Statement.demand_id == demand.id,
            Statement.source_id == source.id,
            (
                Statement.stance == int(fields.stance)
                if fields.stance is not None
                else Statement.off_scale == (fields.off_scale and fields.off_scale.value)
            ),
            Statement.stated_on == fields.stated_on,
            Statement.stated_on_precision == fields.stated_on_precision.value,
            Statement.retracted_at.is_(None),
        )
        .order_by(Statement.id.desc())
        .limit(1)
    )


def create_statement_once(
    session: Session,
    fields: StatementFields,
    *,
    party: Party,
    demand: Demand,
    source: Source,
    user: User,
    submission_key: str,
    duplicate_of: int | None = None,
    check_duplicates: bool = False,
) -> tuple[Statement, bool]:
    """Create the statement unless this submission already did; returns it and whether it is new.

    A replay that arrives after the first submit committed is found by the lookup; one that races
    it hits the unique index, and its savepoint is rolled back so the request can still answer
    with the statement that won.

    With `check_duplicates`, a statement that repeats a stored one raises LooksLikeDuplicate
    unless the editor has seen that very one and said "save anyway" (`duplicate_of` is its id):
    a replay is looked up first, so a double submit is never taken for a duplicate of itself.
    """
    existing = statement_for_submission(session, submission_key)
    if existing is not None:
        return existing, False
    if check_duplicates:
        similar = near_duplicate(session, fields, party=party, demand=demand, source=source)
        if similar is not None and similar.id != duplicate_of:
            raise LooksLikeDuplicate(similar)
    try:
        with session.begin_nested():
            statement = create_statement(
                session,
                fields,
                party=party,
                demand=demand,
                source=source,
                user=user,
                submission_key=submission_key,
            )
    except IntegrityError:
        winner = statement_for_submission(session, submission_key)
        if winner is None:
            raise
        return winner, False
    return statement, True


def update_statement(
    session: Session,
    statement: Statement,
    fields: StatementFields,
    *,
    party: Party,
    demand: Demand,
    source: Source,
    form_version: int,
    user: User,
    correction: CorrectionFields | None = None,
) -> Statement:
    """Write the edit. A published statement whose announced fields change needs a correction
    note (CorrectionNeeded otherwise, before anything is written); `correction.minor` keeps an
    edit of the other fields out of /corrections (its note is the history's reason)."""
    check_offer_of_two(statement.id, fields)
    values = _values(session, fields, party, demand, source)
    if statement.version != form_version:
        # Stale: let the write path refuse it (409, the conflict page) before any condition
        # row moves, and before the note is asked for: the editor first sees what changed.
        return update_with_revision(
            session, statement, values, form_version=form_version, action=Action.EDIT, user=user
        )
    announced = check_correction(statement, announced_changes(statement, values), correction)
    reason = correction.note if correction is not None and correction.note else None
    # Conditions first, so the revision the update records carries them; a stale version
    # found by the update itself rolls the request back, conditions included.
    replace_conditions(session, statement, fields.conditions)
    return update_with_revision(
        session,
        statement,
        values,
        form_version=form_version,
        action=Action.EDIT,
        user=user,
        reason=reason,
        correction=announced,
    )


# --- corrections (issue 19 item 3) ----------------------------------------------------------

# What readers rely on: a change to any of these, once published, is announced with a note.
# (The precision goes with the date, the original quote with the quote.)
ANNOUNCED_FIELDS = (
    "stance",
    "off_scale",
    "stated_on",
    "stated_on_precision",
    "party_id",
    "demand_id",
    "quote",
    "original_quote",
    "source_id",
)


class CorrectionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # What readers read on the statement and in /corrections; empty for an unannounced edit.
    note: Annotated[str, Field(max_length=CORRECTION_NOTE_MAX)] = ""
    minor: bool = False

    @field_validator("note")
    @classmethod
    def _one_clean_line(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("the note cannot contain a NUL character")
        return " ".join(value.split())


class CorrectionNeeded(FieldProblem):
    """An edit of a published statement that readers must be told of, told of nothing."""


def announced_changes(statement: Statement, values: dict[str, Any]) -> tuple[str, ...]:
    """The announced fields this edit changes, if the statement is published (a draft's
    edits are its authors' business until a reviewer publishes it)."""
    if statement.is_draft:
        return ()
    return tuple(
        name
        for name in ANNOUNCED_FIELDS
        if name in values and values[name] != getattr(statement, name)
    )


def check_correction(
    statement: Statement, changes: tuple[str, ...], correction: CorrectionFields | None
) -> Correction | None:
    """The correction to announce (None: an ordinary or minor edit); refuses what readers
    would not be told of."""
    note = correction.note if correction is not None else ""
    minor = correction.minor if correction is not None else False
    if changes and minor:
        raise CorrectionNeeded(
            "minor",
            "Only an edit of the summary or other wording can be minor: this one changes "
            + changed_words(changes)
            + ", which readers are told of. Untick minor and say what was corrected.",
        )
    if changes and not note:
        raise CorrectionNeeded(
            "correction_note",
            "This statement is published: changing "
            + changed_words(changes)
            + " needs a correction note, which readers see on the statement and in the "
            "corrections list (for example: “the date was 2 June, not 12 June”).",
        )
    if statement.is_draft or not note or minor:
        return None
    return Correction(note=note, fields=changes)


FIELD_WORDS = {
    "stance": "the stance",
    "off_scale": "the stance",
    "stated_on": "the date",
    "stated_on_precision": "the date",
    "party_id": "the party",
    "demand_id": "the demand",
    "quote": "the quote",
    "original_quote": "the quote",
    "source_id": "the source",
}


def changed_words(changes: tuple[str, ...]) -> str:
    """ "the stance and the date" (each named once)."""
    words = list(dict.fromkeys(FIELD_WORDS.get(name, name) for name in changes))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --- end corrections ---


def retract_statement(
    session: Session,
    statement: Statement,
    fields: RetractionFields,
    *,
    form_version: int,
    user: User,
) -> Statement:
    """Take the statement out of positions; it stays readable, with the reason."""
    if statement.is_retracted:
        raise AlreadyRetracted("reason", "this statement is already retracted")
    return update_with_revision(
        session,
        statement,
        {"retracted_at": utcnow(), "retraction_reason": fields.reason},
        form_version=form_version,
        action=Action.RETRACT,
        user=user,
        reason=fields.reason,
    )


def restore_statement(
    session: Session, statement: Statement, *, form_version: int, user: User
) -> Statement:
    """Undo a retraction: the statement counts towards positions again."""
    return update_with_revision(
        session,
        statement,
        {"retracted_at": None, "retraction_reason": None},
        form_version=form_version,
        action=Action.RESTORE,
        user=user,
    )


# --- review (issue 19): draft and publish ---------------------------------------------------


class ReviewFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Why it goes back: the author reads it on the draft. Required to send back, unused to publish.
    comment: RetractionReason


def needs_review(session: Session, negotiation_id: int) -> bool:
    negotiation = session.get(Negotiation, negotiation_id)
    return negotiation is None or negotiation.statements_need_review


def authors(session: Session, statement: Statement) -> set[int]:
    """Everyone who wrote the draft: its creator and whoever edited it since it was last sent
    for review. A reviewer who rewrote it is an author too, and needs a third pair of eyes."""
    written = select(Revision.user_id).where(
        Revision.entity_type == Statement.ENTITY_TYPE,
        Revision.entity_id == statement.id,
        Revision.action.in_([Action.CREATE.value, Action.EDIT.value, Action.REVERT.value]),
    )
    return {statement.created_by_id, *session.scalars(written)}


def _check_may_review(session: Session, statement: Statement, user: User) -> None:
    if statement.published_at is not None:
        raise NotADraft("statement", "this statement is published already")
    if needs_review(session, statement.negotiation_id) and user.id in authors(session, statement):
        raise OwnStatement(
            "A statement you wrote or changed needs another editor's review: nobody publishes "
            "or sends back their own, admins included. Nothing was saved."
        )


def publish_statement(
    session: Session, statement: Statement, *, form_version: int, user: User
) -> Statement:
    """Make a draft public. `form_version` is the draft as the reviewer read it: a draft
    changed since raises StaleVersion (409, with the current text)."""
    _check_may_review(session, statement, user)
    return update_with_revision(
        session,
        statement,
        {"published_at": utcnow(), "review_comment": None},
        form_version=form_version,
        action=Action.PUBLISH,
        user=user,
    )


def send_back_statement(
    session: Session,
    statement: Statement,
    fields: ReviewFields,
    *,
    form_version: int,
    user: User,
) -> Statement:
    """Return a draft to its author with a comment; it stays a draft."""
    _check_may_review(session, statement, user)
    return update_with_revision(
        session,
        statement,
        {"review_comment": fields.comment},
        form_version=form_version,
        action=Action.SEND_BACK,
        user=user,
        reason=fields.comment,
    )


# --- end review ------------------------------------------------------------------------------
