"""`/healthz`: is this app server able to reach its database, and which replicas it reads from?

The balancer takes a server whose primary is unreachable out of rotation (503): it could neither
write nor read the data version. A replica that is down or lagging only moves reads to the
primary, so it is reported, never a failure.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.replicas import Replicas

router = APIRouter()


@router.get("/healthz", name="healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"},
            status_code=503,
            headers={"Cache-Control": "no-store", "Retry-After": "5"},
        )
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    replicas: Replicas | None = request.app.state.replicas
    if replicas is not None:
        # As the last check found them (every replica_check_interval_s), not asked again here:
        # a balancer polling every server each second must not multiply the checks.
        states = replicas.states()
        body["replicas"] = [
            {
                "name": state.name,
                "in_use": state.usable,
                "state": state.reason,
                "lag_s": None if state.lag_s is None else round(state.lag_s, 3),
            }
            for state in states
        ]
        body["reads_from"] = "replicas" if any(s.usable for s in states) else "primary"
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
