"""Writes to statements, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.dates import DatePrecision, is_period_start
from app.exceptions import AlreadyRetracted, FieldProblem, NotADraft, OwnStatement
from app.field_types import Quote, RetractionReason, Speaker, StoredDate, Summary
from app.models import Action, Demand, Negotiation, Party, Revision, Source, Statement, User
from app.models.base import utcnow
from app.negotiations.queries import takes_part
from app.revisions import add_with_revision, update_with_revision
from app.stances import Stance


class StatementFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stance: Stance
    stated_on: StoredDate
    stated_on_precision: DatePrecision = DatePrecision.DAY
    speaker: Speaker = None
    summary: Summary
    quote: Quote = None

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
    return {
        "party_id": party.id,
        "demand_id": demand.id,
        "negotiation_id": demand.negotiation_id,
        "source_id": source.id,
        "stance": int(fields.stance),
        "stated_on": fields.stated_on,
        "stated_on_precision": fields.stated_on_precision.value,
        "speaker": fields.speaker,
        "summary": fields.summary,
        "quote": fields.quote,
    }


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
            Statement.stance == int(fields.stance),
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
) -> Statement:
    return update_with_revision(
        session,
        statement,
        _values(session, fields, party, demand, source),
        form_version=form_version,
        action=Action.EDIT,
        user=user,
    )


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
