"""CORS for the read-only API: any origin may GET `/api/`; nothing else gets CORS headers.

Starlette's CORSMiddleware applies to every path; pages, forms and the editors' write path
must stay same-origin, so this answers only for the API prefix and only for reads.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import API_PREFIX

READ_METHODS = ("GET", "HEAD")
# Conditional requests are how API clients stay cheap: let scripts send and read validators.
ALLOWED_HEADERS = "If-None-Match, If-Modified-Since, Accept"
EXPOSED_HEADERS = "ETag, Last-Modified, Content-Disposition"
PREFLIGHT_MAX_AGE = "86400"


class ApiCorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = Headers(scope=scope)
        if method == "OPTIONS" and "origin" in headers:
            requested = headers.get("access-control-request-method", "")
            if requested in READ_METHODS:
                await self._preflight(send)
                return
            # A preflight for a write gets no CORS headers: the browser refuses the request.
            await self.app(scope, receive, send)
            return
        if method not in READ_METHODS:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["access-control-allow-origin"] = "*"
                response_headers["access-control-expose-headers"] = EXPOSED_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-allow-methods", ", ".join(READ_METHODS).encode()),
                    (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                    (b"access-control-max-age", PREFLIGHT_MAX_AGE.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
