"""Small factories that build data through the real write path (so rows have revisions)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dates import DatePrecision
from app.demands.service import DemandFields, create_demand
from app.models import (
    Demand,
    Negotiation,
    Participation,
    ParticipationRole,
    Party,
    PartyKind,
    Role,
    Source,
    SourceKind,
    Statement,
    User,
)
from app.negotiations.queries import takes_part
from app.negotiations.service import (
    NegotiationFields,
    ParticipationFields,
    create_negotiation,
    create_participation,
)
from app.parties.service import PartyFields, create_party
from app.sources.service import SourceFields, create_source
from app.stances import Stance
from app.statements.service import StatementFields, create_statement
from app.users.service import UserFields, create_user, system_user

_serial = itertools.count(1)


def make_party(session: Session, **overrides: Any) -> Party:
    n = next(_serial)
    values: dict[str, Any] = {
        "slug": f"party-{n}",
        "name": f"Party {n}",
        "short_name": f"P{n}",
        "kind": PartyKind.STATE,
        "colour": "#336699",
    }
    values.update(overrides)
    return create_party(session, PartyFields(**values), user=system_user(session))


def make_negotiation(session: Session, **overrides: Any) -> Negotiation:
    n = next(_serial)
    # Review off unless a test asks for it (issue 19): most tests want a statement public at once,
    # as the demo's talks have it.
    values: dict[str, Any] = {
        "slug": f"talks-{n}",
        "title": f"Talks {n}",
        "statements_need_review": False,
    }
    values.update(overrides)
    return create_negotiation(session, NegotiationFields(**values), user=system_user(session))


def default_negotiation(session: Session) -> Negotiation:
    """The first negotiation (the demo's, in the shared database), made if there is none."""
    first = session.scalar(select(Negotiation).order_by(Negotiation.id).limit(1))
    return first if first is not None else make_negotiation(session)


def make_participation(
    session: Session,
    *,
    party: Party,
    negotiation: Negotiation | None = None,
    role: ParticipationRole = ParticipationRole.PARTY,
) -> Participation:
    return create_participation(
        session,
        ParticipationFields(
            negotiation_id=(negotiation or default_negotiation(session)).id,
            party_id=party.id,
            role=role,
        ),
        user=system_user(session),
    )


def make_demand(
    session: Session, *, negotiation: Negotiation | None = None, **overrides: Any
) -> Demand:
    n = next(_serial)
    values: dict[str, Any] = {"slug": f"demand-{n}", "title": f"Demand {n}", "display_order": n}
    values["negotiation_id"] = (negotiation or default_negotiation(session)).id
    values.update(overrides)
    return create_demand(session, DemandFields(**values), user=system_user(session))


def make_source(session: Session, **overrides: Any) -> Source:
    n = next(_serial)
    values: dict[str, Any] = {
        "url": f"https://news.example.org/story-{n}",
        "title": f"Story {n}",
        "publisher": "Example News",
        "published_on": dt.date(2025, 3, 1),
        "published_on_precision": DatePrecision.DAY,
        "kind": SourceKind.NEWS_REPORT,
    }
    values.update(overrides)
    return create_source(session, SourceFields(**values), user=system_user(session))


def make_statement(
    session: Session,
    *,
    party: Party | None = None,
    demand: Demand | None = None,
    source: Source | None = None,
    take_part: bool = True,
    **overrides: Any,
) -> Statement:
    """A statement; unless take_part=False, its party is first made a participant (party to the
    talks) of the demand's negotiation if it is not one already."""
    values: dict[str, Any] = {
        "stance": Stance.ACCEPTS,
        "stated_on": dt.date(2025, 3, 1),
        "stated_on_precision": DatePrecision.DAY,
        "summary": "A summary in the editor's words.",
    }
    values.update(overrides)
    party = party or make_party(session)
    demand = demand or make_demand(session)
    if take_part and not takes_part(
        session, negotiation_id=demand.negotiation_id, party_id=party.id
    ):
        make_participation(
            session, party=party, negotiation=session.get(Negotiation, demand.negotiation_id)
        )
    return create_statement(
        session,
        StatementFields(**values),
        party=party,
        demand=demand,
        source=source or make_source(session),
        user=system_user(session),
    )


PASSWORD = "correct horse battery staple"
# The authenticator secret of the shared admin account (tests/conftest.py's `accounts`).
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_user(session: Session, *, role: Role = Role.EDITOR, **overrides: Any) -> User:
    n = next(_serial)
    values: dict[str, Any] = {"email": f"editor{n}@example.org", "display_name": f"Editor {n}"}
    values.update(overrides)
    return create_user(
        session, UserFields(role=role, **values), password=PASSWORD, by=system_user(session)
    )
