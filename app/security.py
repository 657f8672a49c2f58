"""Response headers that keep pages from being framed, sniffed or made to run others' code,
and a cap on request bodies that is enforced before anything parses them."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP_REPORT_PATH = "/csp-report"

# No inline script or style anywhere: htmx is configured through a <meta> tag (no eval, no
# inline indicator styles) and charts colour with SVG attributes, not style attributes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        # report-uri, not report-to: browsers send these at once, while the Reporting API batches
        # reports for up to a minute (and a browser that knows report-to ignores report-uri).
        f"report-uri {CSP_REPORT_PATH}",
    ]
)

# Embeds (app/share/embeds.py) are the only pages other sites may frame: the same policy with
# frame-ancestors *, and no X-Frame-Options (it has no "anyone" value). Decided by path prefix
# in this one place, so no other route can become framable by accident.
EMBED_PREFIX = "/embed/"
EMBED_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)

BASE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
    "x-frame-options": "DENY",
}
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = dict(BASE_HEADERS)
        if hsts:
            self.headers["strict-transport-security"] = HSTS
        self.embed_headers = {
            name: value for name, value in self.headers.items() if name != "x-frame-options"
        }
        self.embed_headers["content-security-policy"] = EMBED_CONTENT_SECURITY_POLICY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        added = self.embed_headers if scope["path"].startswith(EMBED_PREFIX) else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    if name not in headers:  # a route may need a narrower or wider policy
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """413 for bodies over `max_bytes`, by Content-Length up front or by counting as they come."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdecimal() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return

        received = 0
        too_large = refused = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            # Whatever the app makes of the interrupted read (an error page, say), the client
            # is told the truth: the body was too large.
            if too_large:
                if not refused:
                    refused = True
                    await self._refuse(send)
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not refused:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = (
            f"Request body too large: the limit is {self.max_bytes:,} bytes. Nothing was saved."
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# A violation report is a few hundred bytes; anything much bigger is not one.
CSP_REPORT_MAX_BYTES = 8192
csp_log = logging.getLogger("parley.csp")
router = APIRouter()


@router.post(CSP_REPORT_PATH, name="csp_report", include_in_schema=False)
async def csp_report(request: Request) -> Response:
    """Where browsers report what our CSP blocked: logged as a warning, since each one is either
    a bug of ours (an inline style slipped in) or someone else's code in the page.

    No CSRF token: browsers send these by themselves, and a forged report only adds a log line.
    """
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > CSP_REPORT_MAX_BYTES:
            return Response(status_code=413, headers={"Cache-Control": "no-store"})
    try:
        report = json.loads(body).get("csp-report")
    except (ValueError, AttributeError):
        report = None
    if not isinstance(report, dict):
        return Response(status_code=400, headers={"Cache-Control": "no-store"})
    # Only the fields that say what happened, each cut short: the log is not for their payloads.
    fields = ("document-uri", "violated-directive", "blocked-uri", "source-file", "line-number")
    csp_log.warning(
        "CSP violation: %s",
        " ".join(f"{name}={str(report.get(name, ''))[:200]!r}" for name in fields),
    )
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
