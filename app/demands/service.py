"""Writes to demands, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import next_in_order
from app.exceptions import AlreadyTaken
from app.field_types import DemandTitle, Description, Slug
from app.models import Action, Demand, User
from app.negotiations.service import negotiation_choice
from app.revisions import add_with_revision, update_with_revision
from app.slugs import slugify, unique_slug


class DemandFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # None: the demand's own (when editing), else the only negotiation there is.
    negotiation_id: int | None = None

    # None: made from the title (transliterated), with -2, -3… if another demand has it.
    slug: Slug | None = None
    title: DemandTitle
    description: Description = None
    # None: after every other demand, so a new one does not jump to the top of the matrix.
    display_order: int | None = Field(None, ge=0, le=1_000_000)


def _values(session: Session, fields: DemandFields, demand: Demand | None) -> dict[str, Any]:
    demand_id = demand.id if demand else None
    if fields.negotiation_id is None and demand is not None:
        negotiation_id = demand.negotiation_id
    else:
        negotiation_id = negotiation_choice(
            session, fields.negotiation_id, field="negotiation_id"
        ).id
    moved = demand is not None and demand.negotiation_id != negotiation_id
    if fields.slug is not None:
        slug = fields.slug
        _check_slug_free(session, slug, demand_id, negotiation_id)
    elif (
        demand is not None and not moved and demand.slug == slugify(fields.title, fallback="demand")
    ):
        slug = demand.slug
    else:
        slug = unique_slug(
            session,
            Demand,
            slugify(fields.title, fallback="demand"),
            exclude_id=demand_id,
            within=[Demand.negotiation_id == negotiation_id],
        )
    order = fields.display_order
    if order is None:
        order = (
            demand.display_order
            if demand is not None and not moved
            else next_in_order(
                session, Demand.display_order, Demand.negotiation_id == negotiation_id
            )
        )
    return {
        "negotiation_id": negotiation_id,
        "slug": slug,
        "title": fields.title,
        "description": fields.description or "",
        "display_order": order,
    }


def _check_slug_free(
    session: Session, slug: str, demand_id: int | None, negotiation_id: int
) -> None:
    # Unique within the negotiation (the database says so too): other talks may reuse a slug.
    other = session.scalar(
        select(Demand.id).where(Demand.slug == slug, Demand.negotiation_id == negotiation_id)
    )
    if other is not None and other != demand_id:
        raise AlreadyTaken(
            "slug", f"another demand of this negotiation already has the slug {slug!r}"
        )


def create_demand(session: Session, fields: DemandFields, *, user: User) -> Demand:
    demand = Demand(**_values(session, fields, None))
    add_with_revision(session, demand, user=user)
    return demand


def update_demand(
    session: Session, demand: Demand, fields: DemandFields, *, form_version: int, user: User
) -> Demand:
    return update_with_revision(
        session,
        demand,
        _values(session, fields, demand),
        form_version=form_version,
        action=Action.EDIT,
        user=user,
    )


def move_demand(
    session: Session,
    demand: Demand,
    neighbour: Demand,
    *,
    up: bool,
    versions: tuple[int, int],
    user: User,
) -> None:
    """Move a demand past its neighbour in the list: edits with revisions, one transaction.

    `versions` are the two demands' versions as the list showed them, so a reorder made on a
    stale list is refused like any other stale edit.
    """
    mine, theirs = demand.display_order, neighbour.display_order
    if mine != theirs:
        swaps = [(demand, theirs, versions[0]), (neighbour, mine, versions[1])]
    elif up and theirs == 0:
        # Nothing sorts before 0: make room by moving the neighbour down instead.
        swaps = [(neighbour, 1, versions[1])]
    else:
        # Equal orders (ties sort by id): step just past the neighbour.
        swaps = [(demand, theirs - 1 if up else theirs + 1, versions[0])]
    for record, order, version in swaps:
        update_with_revision(
            session,
            record,
            {"display_order": order},
            form_version=version,
            action=Action.EDIT,
            user=user,
        )
