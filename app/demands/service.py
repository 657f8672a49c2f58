"""Writes to demands, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exceptions import AlreadyTaken
from app.fields import DemandTitle, Description, Slug
from app.models import Action, Demand, User
from app.revisions import add_with_revision, update_with_revision


class DemandFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    title: DemandTitle
    description: Description = None
    display_order: int = Field(0, ge=0, le=1_000_000)


def _values(fields: DemandFields) -> dict[str, Any]:
    return {
        "slug": fields.slug,
        "title": fields.title,
        "description": fields.description or "",
        "display_order": fields.display_order,
    }


def _check_slug_free(session: Session, slug: str, demand_id: int | None) -> None:
    other = session.scalar(select(Demand.id).where(Demand.slug == slug))
    if other is not None and other != demand_id:
        raise AlreadyTaken("slug", f"another demand already has the slug {slug!r}")


def create_demand(session: Session, fields: DemandFields, *, user: User) -> Demand:
    _check_slug_free(session, fields.slug, None)
    demand = Demand(**_values(fields))
    add_with_revision(session, demand, user=user)
    return demand


def update_demand(
    session: Session, demand: Demand, fields: DemandFields, *, form_version: int, user: User
) -> Demand:
    _check_slug_free(session, fields.slug, demand.id)
    return update_with_revision(
        session, demand, _values(fields), form_version=form_version, action=Action.EDIT, user=user
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
