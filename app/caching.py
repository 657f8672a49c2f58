"""HTTP caching for anonymous readers: ETags from the data version, 304s without rendering.

Every accepted write appends a revision, so the highest revision id is a version of the whole
dataset (docs/design.md, "Caching, the data version and ETags"). An anonymous GET gets an ETag
built from that version, today's date (pages default to "as of today", which moves at midnight
without any write) and whether htmx asked for a fragment. A request whose If-None-Match still
matches is answered 304 before any route runs: one cheap query, or none while the version is
fresh in this process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from anyio import to_thread
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import Revision

# Browsers revalidate after a few seconds (a cheap 304); shared caches such as a CDN may serve a
# page for half a minute without asking. Any write changes the version, so nothing stays stale
# past these ages.
PUBLIC_CACHE_CONTROL = "public, max-age=5, s-maxage=30, stale-while-revalidate=30"
UNCACHED_PREFIXES = ("/static/", "/healthz")


@dataclass(frozen=True)
class Version:
    revision_id: int
    changed_at: dt.datetime | None


# Two subqueries, not two aggregates in one SELECT: SQLite answers a lone max() from the end of
# an index but scans the whole index for a pair (22 ms at 100k revisions, once a second, which
# showed as 200-400 ms p99s at 16 connections).
VERSION_QUERY = select(
    select(func.max(Revision.id)).scalar_subquery(),
    select(func.max(Revision.created_at)).scalar_subquery(),
)


class DataVersion:
    """The dataset's version, read from the database at most once per `ttl` seconds.

    With several app servers a write on one is seen by the others within `ttl`; a write on this
    one resets the cached value when its transaction commits (see `forget_on_commit`).
    """

    def __init__(self, sessions: Callable[[], Session], ttl: float) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._lock = threading.Lock()
        self._value: Version | None = None
        self._read_at = 0.0

    async def current(self) -> Version:
        value = self._value
        if value is not None and time.monotonic() - self._read_at < self._ttl:
            return value
        return await to_thread.run_sync(self.read)

    def read(self) -> Version:
        now = time.monotonic()
        with self._sessions() as session:
            row = session.execute(VERSION_QUERY).one()
        value = Version(revision_id=row[0] or 0, changed_at=_as_utc(row[1]))
        with self._lock:
            self._value, self._read_at = value, now
        return value

    def forget(self) -> None:
        with self._lock:
            self._value = None


_versions: weakref.WeakSet[DataVersion] = weakref.WeakSet()


def track(version: DataVersion) -> DataVersion:
    """Forget `version` whenever a session of this process commits a write."""
    _versions.add(version)
    return version


@event.listens_for(Session, "after_commit")
def _forget_after_a_write(session: Session) -> None:
    # record_revision marks the session; every write appends a revision.
    if session.info.pop("wrote_revisions", False):
        for version in list(_versions):
            version.forget()


def _as_utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text for an aggregate
        value = dt.datetime.fromisoformat(value)
    moment: dt.datetime = value
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class RenderCache:
    """Whole anonymous responses, least recently used first out, up to a number of bytes.

    Keys carry the data version, so a write makes every older entry unreachable; nothing needs
    invalidating. Rendering a big page is most of its cost (docs/design.md), and this skips it. The
    bound is in bytes, not pages: a matrix page is 500 kB, a statement page 8 kB.
    """

    MAX_BODY = 1_000_000

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple[str, ...], CachedResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, ...], entry: CachedResponse) -> None:
        if len(entry.body) > min(self.MAX_BODY, self.max_bytes):
            return
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self.size -= len(replaced.body)
            self._entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.body)


class ConditionalGetMiddleware:
    """ETag, Last-Modified and Cache-Control on anonymous GETs; 304 when nothing changed;
    repeat requests for an unchanged page served from the render cache."""

    def __init__(
        self, app: ASGIApp, version: DataVersion, session_cookie: str, render_cache: RenderCache
    ) -> None:
        self.app = app
        self.version = version
        self.session_cookie = session_cookie
        self.render_cache = render_cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable_request(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            version = await self.version.current()
        except SQLAlchemyError:
            # The database is away: let the route answer (with the 503 page), uncached.
            await self.app(scope, receive, send)
            return
        etag = _etag(version, headers.get("hx-request") == "true")
        if _not_modified(headers, etag, version):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": _caching_headers(etag, version),
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        key = (etag, scope["method"], scope["path"], scope["query_string"].decode("latin-1"))
        cached = self.render_cache.get(key)
        if cached is not None:
            await send(
                {"type": "http.response.start", "status": cached.status, "headers": cached.headers}
            )
            await send({"type": "http.response.body", "body": cached.body})
            return

        start: Message | None = None
        body: list[bytes] | None = None
        collected = 0

        async def send_with_validators(message: Message) -> None:
            nonlocal start, body, collected
            if message["type"] == "http.response.start" and message["status"] == 200:
                response_headers = MutableHeaders(scope=message)
                # A response that sets a cookie or chose its own caching is nobody's to share.
                if "set-cookie" not in response_headers and (
                    "cache-control" not in response_headers
                ):
                    for name, value in _caching_headers(etag, version):
                        if name == b"vary" and "vary" in response_headers:
                            value = f"{response_headers['vary']}, Cookie".encode()
                        response_headers[name.decode()] = value.decode()
                    start, body = message, []
            elif message["type"] == "http.response.body" and body is not None and start:
                body.append(message.get("body", b""))
                collected += len(body[-1])
                if collected > RenderCache.MAX_BODY:
                    # Too big to keep (a streamed CSV export): stop collecting it, so a
                    # stream stays a stream in constant memory.
                    body = None
                elif not message.get("more_body", False):
                    self.render_cache.put(
                        key, CachedResponse(start["status"], list(start["headers"]), b"".join(body))
                    )
            await send(message)

        await self.app(scope, receive, send_with_validators)

    def _cacheable_request(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        if scope["path"].startswith(UNCACHED_PREFIXES):
            return False
        cookies = Headers(scope=scope).get("cookie", "")
        return f"{self.session_cookie}=" not in cookies


def _etag(version: Version, fragment: bool) -> str:
    # The date is in the tag because pages show "as of today" by default.
    key = f"{version.revision_id}:{dt.date.today().isoformat()}:{int(fragment)}"
    return f'W/"{hashlib.blake2s(key.encode(), digest_size=8).hexdigest()}"'


def _not_modified(headers: Headers, etag: str, version: Version) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        candidates = {tag.strip() for tag in if_none_match.split(",")}
        # Weak comparison (RFC 9110 13.1.2): W/"x" and "x" match.
        bare = etag.removeprefix("W/")
        return "*" in candidates or etag in candidates or bare in candidates
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since and version.changed_at is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return version.changed_at.replace(microsecond=0) <= since and (
            dt.date.today() <= since.date()
        )
    return False


def _caching_headers(etag: str, version: Version) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"etag", etag.encode()),
        (b"cache-control", PUBLIC_CACHE_CONTROL.encode()),
        (b"vary", b"HX-Request, Cookie"),
    ]
    if version.changed_at is not None:
        headers.append(
            (b"last-modified", format_datetime(version.changed_at, usegmt=True).encode())
        )
    return headers
