"""Webhooks: the endpoints admins register, the outbox of events (written in the same
transaction as the revision they tell of), and one delivery per event and endpoint with its
attempts. The worker (app/webhooks/worker.py) sends; nothing here is edited through revisions:
these rows are plumbing, not the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONDocument, UTCDateTime, one_of, text_limits, utcnow

URL_MAX = 2000
EVENT_KINDS = ("new", "shift", "restatement", "retraction", "correction")
DELIVERY_STATES = ("pending", "delivered", "failed")


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX))
    # The Standard Webhooks secret, "whsec_" + base64: shown to the admin to give the receiver.
    secret: Mapped[str] = mapped_column(String(100))
    # Filters: NULL matches every one. `kinds`: comma-separated EVENT_KINDS, empty for all.
    negotiation_id: Mapped[int | None] = mapped_column(
        ForeignKey("negotiation.id", ondelete="CASCADE")
    )
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"))
    kinds: Mapped[str] = mapped_column(String(100), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Deliveries that ran out of retries in a row; at settings.webhook_disable_after, off.
    failures_in_row: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (*text_limits("url", URL_MAX),)

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds.split(",")


class WebhookEvent(Base):
    """The outbox: one row per change, its payload fixed when the change was written."""

    __tablename__ = "webhook_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The idempotency key (the webhook-id header): the same on every attempt and every replay.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (one_of("kind", EVENT_KINDS),)


class WebhookDelivery(Base):
    """One event to one endpoint: pending until a 2xx, failed when retries ran out."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Due again at; a worker that claims it moves this past its request's timeout first, so a
    # worker killed mid-request leaves it due again later (sent again, same webhook-id).
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        one_of("state", DELIVERY_STATES),
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        Index("uq_webhook_delivery_event_endpoint", "event_id", "endpoint_id", unique=True),
    )


class WebhookAttempt(Base):
    """The delivery log admins read: each request, its answer or its error."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
