"""Writes to negotiations and participations, through the one write path (row + revision)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import next_in_order
from app.exceptions import AlreadyTaken, FieldProblem
from app.field_types import NegotiationDescription, NegotiationTitle, Slug, StoredDate
from app.models import (
    Action,
    Negotiation,
    NegotiationStatus,
    Participation,
    ParticipationRole,
    Party,
    User,
)
from app.negotiations.queries import only_negotiation
from app.revisions import add_with_revision, update_with_revision

# The negotiation a database's existing rows moved into (migration 0007), and the demo's.
DEFAULT_SLUG = "russia-ukraine"
DEFAULT_TITLE = "Russia–Ukraine talks"


class NegotiationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    title: NegotiationTitle
    description: NegotiationDescription = None
    status: NegotiationStatus = NegotiationStatus.ACTIVE
    # None: today when the status changes (or on creation), else unchanged.
    status_changed_on: StoredDate | None = None
    # None: after every other negotiation.
    display_order: int | None = Field(None, ge=0, le=1_000_000)
    # Review (issue 19). None: on for new talks, unchanged on an edit (a form without the
    # setting leaves it as it is).
    statements_need_review: bool | None = None


def _check_slug_free(session: Session, slug: str, negotiation_id: int | None) -> None:
    other = session.scalar(select(Negotiation.id).where(Negotiation.slug == slug))
    if other is not None and other != negotiation_id:
        raise AlreadyTaken("slug", f"another negotiation already has the slug {slug!r}")


def _negotiation_values(
    session: Session, fields: NegotiationFields, negotiation: Negotiation | None
) -> dict[str, Any]:
    _check_slug_free(session, fields.slug, negotiation.id if negotiation else None)
    changed_on = fields.status_changed_on
    unchanged = negotiation is not None and negotiation.status == fields.status.value
    if negotiation is not None and unchanged and changed_on is None:
        changed_on = negotiation.status_changed_on
    elif changed_on is None or (
        # The edit form shows the stored date: a new status with that date left as it was
        # changed today, not back then.
        negotiation is not None and not unchanged and changed_on == negotiation.status_changed_on
    ):
        changed_on = dt.date.today()
    order = fields.display_order
    if order is None:
        if negotiation is not None:
            order = negotiation.display_order
        else:
            order = next_in_order(session, Negotiation.display_order)
    return {
        "slug": fields.slug,
        "title": fields.title,
        "description": fields.description or "",
        "status": fields.status.value,
        "status_changed_on": changed_on,
        "display_order": order,
        "statements_need_review": (
            fields.statements_need_review
            if fields.statements_need_review is not None
            else (negotiation.statements_need_review if negotiation is not None else True)
        ),
    }


def create_negotiation(session: Session, fields: NegotiationFields, *, user: User) -> Negotiation:
    negotiation = Negotiation(**_negotiation_values(session, fields, None))
    add_with_revision(session, negotiation, user=user)
    return negotiation


def update_negotiation(
    session: Session,
    negotiation: Negotiation,
    fields: NegotiationFields,
    *,
    form_version: int,
    user: User,
) -> Negotiation:
    return update_with_revision(
        session,
        negotiation,
        _negotiation_values(session, fields, negotiation),
        form_version=form_version,
        action=Action.EDIT,
        user=user,
    )


def negotiation_choice(session: Session, negotiation_id: int | None, *, field: str) -> Negotiation:
    """The negotiation a form named, or the only one if it named none; a field message else."""
    if negotiation_id is None:
        only = only_negotiation(session)
        if only is None:
            raise FieldProblem(field, "choose the negotiation")
        return only
    negotiation = session.get(Negotiation, negotiation_id)
    if negotiation is None:
        raise FieldProblem(field, f"there is no negotiation #{negotiation_id}")
    return negotiation


class ParticipationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    negotiation_id: int
    party_id: int
    role: ParticipationRole = ParticipationRole.PARTY
    # None: after the negotiation's other participants.
    display_order: int | None = Field(None, ge=0, le=1_000_000)


def _participation_values(
    session: Session, fields: ParticipationFields, participation: Participation | None
) -> dict[str, Any]:
    negotiation = negotiation_choice(session, fields.negotiation_id, field="negotiation_id")
    if session.get(Party, fields.party_id) is None:
        raise FieldProblem("party_id", f"there is no party #{fields.party_id}")
    if participation is not None and (
        (participation.negotiation_id, participation.party_id)
        != (fields.negotiation_id, fields.party_id)
    ):
        # Its statements hang on the pair (a foreign key): a participation keeps its pair.
        raise FieldProblem("party_id", "a participation's negotiation and party cannot change")
    other = session.scalar(
        select(Participation.id).where(
            Participation.negotiation_id == negotiation.id,
            Participation.party_id == fields.party_id,
        )
    )
    if other is not None and (participation is None or other != participation.id):
        raise AlreadyTaken("party_id", "this party already takes part in this negotiation")
    order = fields.display_order
    if order is None:
        if participation is not None:
            order = participation.display_order
        else:
            order = next_in_order(
                session,
                Participation.display_order,
                Participation.negotiation_id == negotiation.id,
            )
    return {
        "negotiation_id": negotiation.id,
        "party_id": fields.party_id,
        "role": fields.role.value,
        "display_order": order,
    }


def create_participation(
    session: Session, fields: ParticipationFields, *, user: User
) -> Participation:
    participation = Participation(**_participation_values(session, fields, None))
    add_with_revision(session, participation, user=user)
    return participation


def update_participation(
    session: Session,
    participation: Participation,
    fields: ParticipationFields,
    *,
    form_version: int,
    user: User,
) -> Participation:
    return update_with_revision(
        session,
        participation,
        _participation_values(session, fields, participation),
        form_version=form_version,
        action=Action.EDIT,
        user=user,
    )
