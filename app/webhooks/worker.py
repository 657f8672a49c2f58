"""`parley worker`: delivers the webhooks' outbox, signed with Standard Webhooks.

At least once, never lost: a delivery is claimed by moving its next attempt past the request's
timeout and committing, then sent, then marked. A worker killed between the send and the mark
leaves the delivery due again once that lease runs out; it is sent again under the same
webhook-id, which a receiver honouring the key drops as a duplicate. On PostgreSQL several
workers may run: the claim is `FOR UPDATE SKIP LOCKED`, so no two take the same row. On SQLite
run one worker (the claim is still a single write transaction, but SQLite has no SKIP LOCKED).

Retries back off exponentially (30 s, 1 min, 2 min … capped at 1 h) until the delivery is
`webhook_retry_hours` old, then it fails; an endpoint whose deliveries fail
`webhook_disable_after` times in a row is switched off (an admin re-enables it and replays).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.models.base import utcnow
from app.outbound import Refused, post
from app.settings import Settings

log = logging.getLogger("parley.worker")

FIRST_RETRY_S = 30
MAX_RETRY_S = 3600
BATCH = 20


def backoff(attempts: int, first_s: float = FIRST_RETRY_S) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s doubling, at most an hour."""
    return dt.timedelta(seconds=min(MAX_RETRY_S, first_s * 2 ** max(0, attempts - 1)))


@dataclass
class Tally:
    sent: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def claim(session: Session, settings: Settings, now: dt.datetime) -> list[int]:
    """Take up to BATCH due deliveries and lease them; committed before anything is sent."""
    query = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.state == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.is_active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    ids = list(session.scalars(query))
    if ids:
        lease = now + dt.timedelta(seconds=settings.webhook_timeout_s * 3)
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=lease)
        )
    session.commit()
    return ids


def deliver_one(session: Session, settings: Settings, delivery_id: int, tally: Tally) -> None:
    delivery = session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    event = session.get(WebhookEvent, delivery.event_id)
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    assert event is not None and endpoint is not None
    body = json.dumps(event.payload, separators=(",", ":")).encode()
    sent_at = utcnow()
    signature = Webhook(endpoint.secret).sign(event.message_id, sent_at, body.decode())
    headers = {
        "content-type": "application/json",
        "webhook-id": event.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
        "user-agent": f"{settings.site_name} webhooks",
    }
    status: int | None = None
    error: str | None = None
    tally.sent += 1
    try:
        answer = post(
            endpoint.url,
            body,
            headers,
            timeout=settings.webhook_timeout_s,
            allow_loopback=settings.webhook_allow_loopback and settings.environment != "production",
        )
        status = answer.status
        if not 200 <= status < 300:
            error = f"answered {status}"
    except Refused as refused:
        error = f"refused: {refused}"
    except (OSError, ValueError) as trouble:  # connection refused, timeout, TLS, bad answer
        error = f"{type(trouble).__name__}: {trouble}"
    except Exception as trouble:  # http.client's own errors
        error = f"{type(trouble).__name__}: {trouble}"
    now = utcnow()
    delivery.attempts += 1
    session.add(WebhookAttempt(delivery_id=delivery.id, at=now, status_code=status, error=error))
    if error is None:
        delivery.state = "delivered"
        delivery.delivered_at = now
        endpoint.failures_in_row = 0
        tally.delivered += 1
    elif now - delivery.created_at >= dt.timedelta(hours=settings.webhook_retry_hours):
        delivery.state = "failed"
        endpoint.failures_in_row += 1
        tally.failed += 1
        if endpoint.failures_in_row >= settings.webhook_disable_after:
            endpoint.is_active = False
            endpoint.disabled_reason = (
                f"switched off on {now:%Y-%m-%d %H:%M} UTC after "
                f"{endpoint.failures_in_row} failed deliveries in a row; last: {error}"
            )
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts, settings.webhook_first_retry_s)
        tally.retried += 1
    session.commit()


def run_once(sessions: sessionmaker[Session], settings: Settings, tally: Tally) -> int:
    """Deliver what is due now; the number of deliveries tried."""
    with sessions() as session:
        ids = claim(session, settings, utcnow())
    for delivery_id in ids:
        with sessions() as session:
            deliver_one(session, settings, delivery_id, tally)
    return len(ids)


def run(sessions: sessionmaker[Session], settings: Settings, *, poll_s: float, once: bool) -> Tally:
    tally = Tally()
    while True:
        tried = run_once(sessions, settings, tally)
        if once and not tried:
            return tally
        if not tried:
            time.sleep(poll_s)


def replay(session: Session, endpoint_id: int, since: dt.datetime | None = None) -> int:
    """Due again now: the endpoint's failed deliveries (and, with `since`, every one created
    since then). Same events, same webhook-ids: a receiver drops what it already has."""
    query = update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if since is None:
        query = query.where(WebhookDelivery.state == "failed")
    else:
        query = query.where(WebhookDelivery.created_at >= since)
    now = utcnow()
    result = session.execute(query.values(state="pending", next_attempt_at=now, created_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


def enable(session: Session, endpoint: WebhookEndpoint) -> None:
    endpoint.is_active = True
    endpoint.failures_in_row = 0
    endpoint.disabled_reason = None
