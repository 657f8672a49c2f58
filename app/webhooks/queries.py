"""Reads for the webhooks page: the receivers, the newest delivery attempts, and the choices of
its filters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Demand,
    Negotiation,
    Party,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

LOG_SIZE = 50


@dataclass(frozen=True)
class WebhooksPage:
    endpoints: list[WebhookEndpoint]
    log: list[tuple[WebhookAttempt, WebhookDelivery, WebhookEvent]]
    negotiations: list[Negotiation]
    parties: list[Party]
    demands: list[Demand]

    def filters(self, endpoint: WebhookEndpoint) -> str:
        """The endpoint's filters in words: "Russia–Ukraine talks, Ukraine, shift"."""
        named = [
            next((title for i, title in pairs if i == wanted), f"#{wanted}")
            for wanted, pairs in (
                (endpoint.negotiation_id, [(n.id, n.title) for n in self.negotiations]),
                (endpoint.party_id, [(p.id, p.name) for p in self.parties]),
                (endpoint.demand_id, [(d.id, d.title) for d in self.demands]),
            )
            if wanted is not None
        ]
        kinds = endpoint.kinds.replace(",", ", ") or "every kind of change"
        return ", ".join([*named, kinds])


def webhooks_page(session: Session) -> WebhooksPage:
    """Everything the page shows: five queries."""
    log = session.execute(
        select(WebhookAttempt, WebhookDelivery, WebhookEvent)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .order_by(WebhookAttempt.id.desc())
        .limit(LOG_SIZE)
    ).all()
    return WebhooksPage(
        endpoints=list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))),
        log=[(attempt, delivery, event) for attempt, delivery, event in log],
        negotiations=list(session.scalars(select(Negotiation).order_by(Negotiation.title))),
        parties=list(session.scalars(select(Party).order_by(Party.name))),
        demands=list(session.scalars(select(Demand).order_by(Demand.title))),
    )
