"""Registering webhook endpoints (admins only: the page checks, this validates)."""

from __future__ import annotations

import base64
import secrets

from sqlalchemy.orm import Session

from app.exceptions import BadRequest
from app.field_types import has_control_characters
from app.models import WebhookEndpoint
from app.models.webhook import EVENT_KINDS, URL_MAX
from app.outbound import Refused, target


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def create_endpoint(
    session: Session,
    url: str,
    *,
    negotiation_id: int | None = None,
    party_id: int | None = None,
    demand_id: int | None = None,
    kinds: list[str] | None = None,
) -> WebhookEndpoint:
    url = url.strip()
    if not url or len(url) > URL_MAX:
        raise BadRequest(f"The receiver's address must be 1 to {URL_MAX} characters.")
    if has_control_characters(url) or any(c.isspace() for c in url):
        raise BadRequest("The receiver's address must not contain spaces or control characters.")
    try:
        target(url)
    except Refused as refused:
        raise BadRequest(f"That address cannot receive webhooks: {refused}.") from None
    unknown = [kind for kind in kinds or [] if kind not in EVENT_KINDS]
    if unknown:
        raise BadRequest(f"Unknown kinds of change: {', '.join(unknown)}.")
    endpoint = WebhookEndpoint(
        url=url,
        secret=new_secret(),
        negotiation_id=negotiation_id,
        party_id=party_id,
        demand_id=demand_id,
        kinds=",".join(kinds or []),
        is_active=True,
        failures_in_row=0,
    )
    session.add(endpoint)
    session.flush()
    return endpoint
