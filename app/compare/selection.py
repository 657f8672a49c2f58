"""Which parties a comparison is of: the `parties` query parameter read against the talks'
participants, each mistake a sentence the reader can act on. The compare page and the
comparison's share image (app/share/lookups.py) read it the same way."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Negotiation, Party
from app.negotiations.queries import participants
from app.stances import MAX_COMPARED


class InvalidSelection(ValueError):
    """The parties to compare cannot be used as given."""


def named_slugs(values: list[str]) -> list[str]:
    """The slugs in `parties` (comma-separated, or repeated by a form's checkboxes).

    Linear in what was sent, and the cap comes first: 8,000 names cost a split and a count."""
    slugs = [slug.strip() for value in values for slug in value.split(",") if slug.strip()]
    if len(slugs) > MAX_COMPARED:
        raise InvalidSelection(
            f"Pick at most {MAX_COMPARED} parties to compare ({len(slugs):,} were given): "
            "more do not fit side by side."
        )
    return slugs


def chosen_parties(
    values: list[str], known: list[Party], outsiders: dict[str, Party], talks: str
) -> list[Party]:
    """The parties named in `parties`, each one of `known` (the talks' participants).

    `outsiders` are the named parties that exist but take part elsewhere: "does not take part
    in these talks" says more than "there is no such party"."""
    slugs = named_slugs(values)
    by_slug = {party.slug: party for party in known}
    elsewhere = [outsiders[slug].name for slug in slugs if slug in outsiders]
    if elsewhere:
        names = ", ".join(f"“{name}”" for name in elsewhere)
        verb = "does" if len(elsewhere) == 1 else "do"
        raise InvalidSelection(
            f"{names} {verb} not take part in {talks}. Pick parties from the list below."
        )
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        names = ", ".join(f"“{slug[:64]}”" for slug in unknown)
        raise InvalidSelection(f"There is no party {names}. Pick parties from the list below.")
    repeated = sorted(slug for slug, times in Counter(slugs).items() if times > 1)
    if repeated:
        names = ", ".join(f"“{by_slug[slug].name}”" for slug in repeated)
        raise InvalidSelection(f"{names} is listed more than once: list each party once.")
    if len(slugs) < 2:
        raise InvalidSelection("Pick at least two parties to compare.")
    return [by_slug[slug] for slug in slugs]


def outsiders_of(session: Session, slugs: list[str], known: list[Party]) -> dict[str, Party]:
    """The named parties that exist but are not among `known`: one query, only when some are."""
    taking_part = {party.slug for party in known}
    others = [slug for slug in slugs if slug not in taking_part]
    if not others:
        return {}
    return {p.slug: p for p in session.scalars(select(Party).where(Party.slug.in_(others)))}


def compared_parties(
    session: Session, negotiation: Negotiation, values: list[str], known: list[Party] | None = None
) -> list[Party]:
    """The parties named in `values`, checked against `negotiation`'s participants (`known`, when
    the caller has them already)."""
    if known is None:
        known = [p.party for p in participants(session, [negotiation.id])[negotiation.id]]
    slugs = named_slugs(values)
    return chosen_parties(values, known, outsiders_of(session, slugs, known), negotiation.title)
