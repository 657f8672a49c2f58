"""Writes to parties, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.exceptions import AlreadyTaken
from app.field_types import Description, PartyName, ShortName, Slug
from app.models import Action, Party, PartyKind, User
from app.revisions import add_with_revision, update_with_revision


class PartyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: PartyName
    short_name: ShortName
    kind: PartyKind
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    description: Description = None


def _values(fields: PartyFields) -> dict[str, Any]:
    return {
        "slug": fields.slug,
        "name": fields.name,
        "short_name": fields.short_name,
        "kind": fields.kind.value,
        "colour": fields.colour.lower(),
        "description": fields.description or "",
    }


def _check_slug_free(session: Session, slug: str, party_id: int | None) -> None:
    # Checked first so the form can say which field is wrong; the unique constraint still holds.
    other = session.scalar(select(Party.id).where(Party.slug == slug))
    if other is not None and other != party_id:
        raise AlreadyTaken("slug", f"another party already has the slug {slug!r}")


def create_party(session: Session, fields: PartyFields, *, user: User) -> Party:
    _check_slug_free(session, fields.slug, None)
    party = Party(**_values(fields))
    add_with_revision(session, party, user=user)
    return party


def update_party(
    session: Session, party: Party, fields: PartyFields, *, form_version: int, user: User
) -> Party:
    _check_slug_free(session, fields.slug, party.id)
    return update_with_revision(
        session, party, _values(fields), form_version=form_version, action=Action.EDIT, user=user
    )
