"""Writes to parties, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.fields import Slug, optional_text, text
from app.models import Party, PartyKind, User
from app.models.party import DESCRIPTION_MAX, NAME_MAX, SHORT_NAME_MAX
from app.revisions import add_with_revision


class PartyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: text(NAME_MAX)  # type: ignore[valid-type]
    short_name: text(SHORT_NAME_MAX)  # type: ignore[valid-type]
    kind: PartyKind
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    description: optional_text(DESCRIPTION_MAX) = None  # type: ignore[valid-type]


def create_party(session: Session, fields: PartyFields, *, user: User) -> Party:
    party = Party(
        slug=fields.slug,
        name=fields.name,
        short_name=fields.short_name,
        kind=fields.kind.value,
        colour=fields.colour.lower(),
        description=fields.description or "",
    )
    add_with_revision(session, party, user=user)
    return party
