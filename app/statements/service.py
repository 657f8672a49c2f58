"""Writes to statements, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy.orm import Session

from app.dates import DatePrecision, is_period_start
from app.fields import optional_text, text
from app.models import Demand, Party, Source, Statement, User
from app.models.statement import QUOTE_MAX, SPEAKER_MAX, SUMMARY_MAX
from app.revisions import add_with_revision
from app.stances import Stance


class StatementFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stance: Stance
    stated_on: dt.date
    stated_on_precision: DatePrecision = DatePrecision.DAY
    speaker: optional_text(SPEAKER_MAX) = None  # type: ignore[valid-type]
    summary: text(SUMMARY_MAX)  # type: ignore[valid-type]
    quote: optional_text(QUOTE_MAX) = None  # type: ignore[valid-type]

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


def create_statement(
    session: Session,
    fields: StatementFields,
    *,
    party: Party,
    demand: Demand,
    source: Source,
    user: User,
) -> Statement:
    statement = Statement(
        party_id=party.id,
        demand_id=demand.id,
        source_id=source.id,
        stance=int(fields.stance),
        stated_on=fields.stated_on,
        stated_on_precision=fields.stated_on_precision.value,
        speaker=fields.speaker,
        summary=fields.summary,
        quote=fields.quote,
        created_by_id=user.id,
    )
    add_with_revision(session, statement, user=user)
    return statement
