"""Writes to demands, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.fields import Slug, optional_text, text
from app.models import Demand, User
from app.models.demand import TITLE_MAX
from app.models.party import DESCRIPTION_MAX
from app.revisions import add_with_revision


class DemandFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    title: text(TITLE_MAX)  # type: ignore[valid-type]
    description: optional_text(DESCRIPTION_MAX) = None  # type: ignore[valid-type]
    display_order: int = Field(0, ge=0, le=1_000_000)


def create_demand(session: Session, fields: DemandFields, *, user: User) -> Demand:
    demand = Demand(
        slug=fields.slug,
        title=fields.title,
        description=fields.description or "",
        display_order=fields.display_order,
    )
    add_with_revision(session, demand, user=user)
    return demand
