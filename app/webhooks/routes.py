"""`/admin/webhooks`: admins register receivers with filters, read the delivery log, switch an
endpoint back on and replay what it missed. The sending is `parley worker`'s."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.guards import Admin, AdminPost
from app.auth.sessions import csrf_token
from app.db import DbSession
from app.exceptions import BadRequest
from app.field_types import whole_number
from app.ids import RecordId
from app.models import Demand, Negotiation, Party, WebhookEndpoint
from app.models.webhook import EVENT_KINDS
from app.pages import render
from app.webhooks.queries import webhooks_page
from app.webhooks.service import create_endpoint
from app.webhooks.worker import enable, replay

router = APIRouter()


def _page(request: Request, session: DbSession, error: str | None, status: int) -> Response:
    page = webhooks_page(session)
    context = {
        "endpoints": page.endpoints,
        "filters": page.filters,
        "log": page.log,
        "kinds": EVENT_KINDS,
        "negotiations": page.negotiations,
        "parties": page.parties,
        "demands": page.demands,
        "error": error,
        "csrf_token": csrf_token(request),
    }
    return render(request, "webhooks/index.html", context, status_code=status)


@router.get("/admin/webhooks", name="webhooks")
def list_webhooks(request: Request, session: DbSession, admin: Admin) -> Response:
    return _page(request, session, None, 200)


def _choice(
    value: str, model: type[Negotiation] | type[Party] | type[Demand], session: DbSession
) -> int | None:
    if not value:
        return None
    found = whole_number(value, low=1, high=2**31 - 1)
    if found is None or session.get(model, found) is None:
        raise BadRequest(f"There is no such {model.__tablename__}.")
    return found


@router.post("/admin/webhooks")
def add_webhook(request: Request, session: DbSession, post: AdminPost) -> Response:
    try:
        create_endpoint(
            session,
            str(post.form.get("url", "")),
            negotiation_id=_choice(str(post.form.get("negotiation", "")), Negotiation, session),
            party_id=_choice(str(post.form.get("party", "")), Party, session),
            demand_id=_choice(str(post.form.get("demand", "")), Demand, session),
            kinds=[k for k in EVENT_KINDS if post.form.get(f"kind_{k}") == "1"],
        )
    except BadRequest as problem:
        session.rollback()
        return _page(request, session, str(problem), 400)
    return RedirectResponse(str(request.url_for("webhooks")), status_code=303)


@router.post("/admin/webhooks/{endpoint_id}/replay", name="webhook_replay")
def replay_webhook(
    request: Request, session: DbSession, post: AdminPost, endpoint_id: RecordId
) -> Response:
    """Switch the endpoint back on and send again what failed (same webhook-ids)."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return _page(request, session, "There is no such endpoint.", 404)
    enable(session, endpoint)
    replay(session, endpoint.id)
    return RedirectResponse(str(request.url_for("webhooks")), status_code=303)
