"""The webhooks' outbox: a published statement's revision becomes an event, with one delivery
per endpoint whose filters it passes, in the revision's own transaction (app/revisions.py calls
this). So a change is never told without being saved, nor saved without being told: if the
request's transaction rolls back, its event goes with it; once it commits, the worker will send
it. Drafts are told at publication, never before.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.changes import describe, histories
from app.models import (
    Demand,
    Party,
    Revision,
    Source,
    Statement,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from app.models.base import utcnow


def matching_endpoints(session: Session, statement: Statement) -> list[WebhookEndpoint]:
    """Active endpoints whose negotiation, party and demand filters the statement passes (the
    kind is checked once it is known). One query."""
    return list(
        session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.is_active.is_(True),
                or_(
                    WebhookEndpoint.negotiation_id.is_(None),
                    WebhookEndpoint.negotiation_id == statement.negotiation_id,
                ),
                or_(
                    WebhookEndpoint.party_id.is_(None),
                    WebhookEndpoint.party_id == statement.party_id,
                ),
                or_(
                    WebhookEndpoint.demand_id.is_(None),
                    WebhookEndpoint.demand_id == statement.demand_id,
                ),
            )
        )
    )


def record_statement_event(session: Session, statement: Statement, revision: Revision) -> None:
    if statement.published_at is None:
        # A draft is told to nobody, nor is its sending back (issue 19): its event is written
        # by the revision that publishes it, as what it says then (new, shift, restatement).
        return
    endpoints = matching_endpoints(session, statement)
    if not endpoints:
        return  # nobody listens: no event, and one query spent
    party = session.get(Party, statement.party_id)
    demand = session.get(Demand, statement.demand_id)
    source = session.get(Source, statement.source_id)
    assert party is not None and demand is not None and source is not None
    # describe() reads the relationships; set them from the rows just loaded.
    statement.party, statement.demand, statement.source = party, demand, source
    change = describe(statement, histories(session, [statement]))
    wanted = [endpoint for endpoint in endpoints if endpoint.wants(change.kind.value)]
    if not wanted:
        return
    now = utcnow()
    event = WebhookEvent(
        message_id=f"msg_{uuid.uuid4().hex}",
        event_type=f"statement.{change.kind.value}",
        kind=change.kind.value,
        revision_id=revision.id,
        created_at=now,
        payload={
            "type": f"statement.{change.kind.value}",
            "timestamp": now.isoformat(),
            "data": {
                "statement_id": statement.id,
                "version": statement.version,
                "negotiation_id": statement.negotiation_id,
                "party": party.slug,
                "demand": demand.slug,
                "kind": change.kind.value,
                "stance": statement.stance,
                "off_scale": statement.off_scale,
                "partial": statement.partial,
                "previous_stance": int(change.previous) if change.previous is not None else None,
                "title": change.title,
                "words": change.words,
                "source": {"title": source.title, "publisher": source.publisher},
            },
        },
    )
    session.add(event)
    session.flush()
    session.add_all(
        WebhookDelivery(
            event_id=event.id,
            endpoint_id=endpoint.id,
            state="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in wanted
    )
    session.flush()
