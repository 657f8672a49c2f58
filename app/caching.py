"""HTTP caching for anonymous readers: ETags from the data version, 304s without rendering,
and the one decision of what a shared cache may keep.

Every accepted write appends a revision, so the highest revision id is a version of the whole
dataset (docs/design.md, "Caching, the data version and ETags"). An anonymous GET gets an ETag
built from that version, today's date (pages default to "as of today", which moves at midnight
without any write) and the htmx headers that change the body. A request whose If-None-Match
still matches a page in the render cache is answered 304 before any route runs: one cheap
query, or none while the version is fresh in this process; otherwise the route runs and a 200
becomes a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from anyio import to_thread
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.links import declared_routes, per_app
from app.models import Revision

# The key in `scope["state"]` under which a shared request's data version goes (PerDataVersion).
DATA_REVISION = "data_revision"
Kept = TypeVar("Kept")
# Browsers revalidate after a few seconds (a cheap 304); shared caches such as a CDN may serve a
# page for half a minute without asking. Any write changes the version, so nothing stays stale
# past these ages.
PUBLIC_CACHE_CONTROL = "public, max-age=5, s-maxage=30, stale-while-revalidate=30"
# Paths that set their own caching: static files (their own validators) and /healthz (no-store).
OWN_CACHING_PREFIXES = ("/static/", "/healthz")


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

    def known(self) -> int | None:
        """The revision id this process serves in its ETags now, or None while it is being read
        again (after a write here). A read replica behind it must not answer (app/replicas.py)."""
        value = self._value
        return None if value is None else value.revision_id


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


class PerDataVersion:
    """Values that hold for one data version (a matrix's headings), made once per version for
    the requests the render cache serves, and dropped when the version moves on.

    Only those requests: ConditionalGetMiddleware says their version in `scope["state"]`. An
    editor's request (or one just after its own write) carries none and always reads afresh,
    so nobody misses their own edit. Kept under the version the ETag names, a value is as
    fresh as the page it goes into: stale for at most the version's ttl, as the page is.
    """

    def __init__(self) -> None:
        # One (revision, values) pair, replaced whole: a thread never sees a new revision with
        # the old one's values.
        self._current: tuple[int, dict[Hashable, Any]] = (-1, {})

    def get(self, scope: Scope, key: Hashable, make: Callable[[], Kept]) -> Kept:
        revision = scope.get("state", {}).get(DATA_REVISION)
        if revision is None:
            return make()
        current = self._current
        if current[0] != revision:
            current = self._current = (revision, {})
        if key not in current[1]:
            current[1][key] = make()
        value: Kept = current[1][key]
        return value


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


# --- What a shared cache may keep (DESIGN.md) ------------------------------------------------
#
# One decision, `may_share`, for the render cache, ETags/304s and Cache-Control alike. It says
# yes only for (1) a GET of a reader page or of the read API (an allow-list of route names),
# (2) from a request carrying no session cookie as SessionMiddleware itself reads cookies, and
# (3) for a 200 that sets no cookie. Everything else is answered `private, no-store`.

# Reader pages and the read API: the same for every anonymous visitor. Editor, account, admin
# and login pages are not here, so nothing of theirs is ever stored or answered 304.
READER_ROUTES = frozenset(
    {
        "home",
        "matrix",
        "statement",
        "parties",
        "party",
        "talks_party",
        "demands",
        "demand",
        "compare",
        # The URLs from before negotiations answer 301 or 300, never stored; listed so that they
        # refuse parameters they never took, as they did.
        "old_demands",
        "old_demand",
        "old_compare",
        "sources",
        "source",
        "timeline",
        "timeline_feed",
        "party_feed",
        "demand_feed",
        "cell_feed",
        "proposal_versions_feed",
        # Public corrections (issue 19).
        "corrections",
        "corrections_feed",
        # URLs from before negotiations: their 301s and 300s are never stored (not 200s), but
        # they refuse unknown parameters like the rest, and the old feed's 200 is a feed.
        "old_timeline",
        "old_timeline_feed",
        "old_api_matrix",
        "old_api_gaps",
        "search",
        "about",
        "api_docs",
        "openapi",
        "api_statements",
        "api_statements_csv",
        "api_statement",
        "api_statement_revisions",
        "api_parties",
        "api_party",
        "api_party_revisions",
        "api_demands",
        "api_demand",
        "api_demand_revisions",
        "api_negotiation_demands",
        "old_api_demand",
        "old_api_demand_revisions",
        "api_sources",
        "api_source",
        "api_source_revisions",
        "api_matrix",
        "api_gaps",
        "api_negotiations",
        "api_negotiation",
        "proposals",
        "proposal",
        "proposal_version",
        "proposal_compare",
        "proposals_compare",
        "proposals_feed",
        "api_proposals",
        "api_proposal",
        "api_proposal_compare",
        "api_proposal_points_csv",
        # Share images and embeds (app/share/): drawn from published statements only, the same
        # for every reader, and kept under the data version like the pages they show.
        "party_share_image",
        "party_across_share_image",
        "demand_share_image",
        "cell_share_image",
        "compare_share_image",
        "embed_matrix",
        "embed_party",
        "embed_demand",
        "embed_cell",
        "oembed",
    }
)
# Request headers that change a reader response's body: htmx asks for a fragment with the
# first, and for the whole page again (a history restore) with both.
VARYING_HEADERS = ("HX-Request", "HX-History-Restore-Request")
# Cookie too: a request with a session cookie gets a personal page, which no cache may serve.
VARY = ", ".join((*VARYING_HEADERS, "Cookie"))
PRIVATE_CACHE_CONTROL = "private, no-store"


def reader_route(scope: Scope) -> bool:
    """Whether the GET in `scope` is routed to a reader page: matched like the router does."""
    app = scope.get("app")
    if app is None:
        return False
    candidates = per_app(
        app,
        "_get_routes",
        lambda: [
            (route.path_regex, route.name)
            for route in declared_routes(app)
            if "GET" in (getattr(route, "methods", None) or ())
        ],
    )
    path = scope["path"]
    for regex, name in candidates:
        if regex.match(path):
            return name in READER_ROUTES
    return False


def carries_session_cookie(scope: Scope, cookie_name: str) -> bool:
    """Whether the request names `cookie_name` as SessionMiddleware would read it.

    Starlette's cookie parser trims names and values (`parley_session =x` is the session), so
    a substring test is not enough; every Cookie header is read, not only the first.
    """
    for name, value in scope["headers"]:
        if name == b"cookie" and cookie_name in cookie_parser(value.decode("latin-1")):
            return True
    return False


@dataclass(frozen=True)
class Variant:
    """Which stored response answers a request: the cache key, and the Vary that names it.

    Both come from here, so the key cannot leave out a header that Vary names, or the other
    way round.
    """

    key: tuple[str, ...]

    @classmethod
    def of(cls, scope: Scope) -> Variant:
        headers = Headers(scope=scope)
        # Parameters in a canonical order (reader routes refuse unknown and empty ones), so
        # `?a=1&b=2` and `?b=2&a=1` are one entry; values of one name keep their order.
        pairs: list[tuple[str, str]] = parse_qsl(
            scope["query_string"].decode("latin-1"), keep_blank_values=True
        )
        ordered = sorted(pairs, key=_name)
        query = urlencode(ordered)
        # Only "true" means anything to htmx or to us: any other value is the same variant as
        # none, so made-up values cannot make new entries.
        varying = tuple(f"{name}={headers.get(name) == 'true'}" for name in VARYING_HEADERS)
        return cls(key=(scope["method"], scope["path"], query, *varying))

    @staticmethod
    def vary() -> str:
        return VARY

    def etag(self, version: Version) -> str:
        # The date is in the tag because pages show "as of today" by default. The URL is not:
        # a tag is compared only with the same URL's.
        key = f"{version.revision_id}:{dt.date.today().isoformat()}:{self.key[3:]}"
        return f'W/"{hashlib.blake2s(key.encode(), digest_size=8).hexdigest()}"'


def _name(pair: tuple[str, str]) -> str:
    return pair[0]  # sorted() is stable: values of one name keep their order


def may_share(status: int, response_headers: Headers) -> bool:
    """The response half of the decision (the request half is `ConditionalGetMiddleware`'s)."""
    # A route that chose its own Cache-Control (no-store) has opted out.
    return (
        status == 200
        and "set-cookie" not in response_headers
        and "cache-control" not in response_headers
    )


_ENTITY_TAG = re.compile(r'\s*(?:W/)?"([^"]*)"\s*(?:,|$)')


def if_none_match_matches(value: str, etag: str) -> bool:
    """RFC 9110 13.1.2: `*`, or any tag of the list equal to ours by weak comparison."""
    if value.strip() == "*":
        return True
    ours = etag.removeprefix("W/").strip('"')
    return any(match.group(1) == ours for match in _ENTITY_TAG.finditer(value))


def not_modified(headers: Headers, etag: str, version: Version) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        # When both are sent, If-Modified-Since is ignored (RFC 9110 13.1.3).
        return if_none_match_matches(if_none_match, etag)
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since and version.changed_at is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return version.changed_at.replace(microsecond=0) <= since and (
            dt.date.today() <= since.date()
        )
    return False


def _validators(etag: str, version: Version) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"etag", etag.encode()),
        (b"cache-control", PUBLIC_CACHE_CONTROL.encode()),
        (b"vary", Variant.vary().encode()),
    ]
    if version.changed_at is not None:
        headers.append(
            (b"last-modified", format_datetime(version.changed_at, usegmt=True).encode())
        )
    return headers


def _unshared(message: Message, *, personal: bool) -> None:
    """Cache-Control for what no shared cache may keep: `no-store`, and `private` too when it
    belongs to one browser (its session cookie was sent, or one is being set)."""
    headers = MutableHeaders(scope=message)
    personal = personal or "set-cookie" in headers
    if "no-store" not in headers.get("cache-control", "") or personal:
        headers["cache-control"] = PRIVATE_CACHE_CONTROL if personal else "no-store"
    headers["vary"] = Variant.vary()


class ConditionalGetMiddleware:
    """The one place that applies `may_share`: validators, 304s and the render cache for what a
    shared cache may keep, `private, no-store` for everything else it sees.

    Runs outside SessionMiddleware, so it sees the Set-Cookie that middleware adds.
    """

    def __init__(
        self,
        app: ASGIApp,
        version: DataVersion,
        session_cookie: str,
        render_cache: RenderCache,
        is_reader: Callable[[Scope], bool] = reader_route,
    ) -> None:
        self.app = app
        self.version = version
        self.session_cookie = session_cookie
        self.render_cache = render_cache
        self.is_reader = is_reader

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(OWN_CACHING_PREFIXES):
            await self.app(scope, receive, send)
            return
        if not self._may_share_request(scope):
            personal = carries_session_cookie(scope, self.session_cookie)
            await self.app(scope, receive, self._send_unshared(send, personal=personal))
            return
        try:
            version = await self.version.current()
        except SQLAlchemyError:
            # The database is away: let the route answer (with the 503 page), unshared.
            await self.app(scope, receive, self._send_unshared(send, personal=False))
            return
        # What PerDataVersion keeps values under: the version this response will be kept by.
        scope.setdefault("state", {})[DATA_REVISION] = version.revision_id
        request_headers = Headers(scope=scope)
        variant = Variant.of(scope)
        etag = variant.etag(version)
        key = (etag, *variant.key)

        cached = self.render_cache.get(key)
        if cached is not None:
            # Only 200s are stored, so a 304 from here is never for an error or a redirect.
            if not_modified(request_headers, etag, version):
                await self._not_modified(send, etag, version)
                return
            await send(
                {"type": "http.response.start", "status": cached.status, "headers": cached.headers}
            )
            await send({"type": "http.response.body", "body": cached.body})
            return

        start: Message | None = None
        body: list[bytes] | None = None
        collected = 0
        swallow = False

        async def send_shared(message: Message) -> None:
            nonlocal start, body, collected, swallow
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                if not may_share(message["status"], response_headers):
                    _unshared(message, personal=False)
                    await send(message)
                    return
                for name, value in _validators(etag, version):
                    response_headers[name.decode()] = value.decode()
                if not_modified(request_headers, etag, version):
                    # Decided on the route's real answer: a 404, a redirect or a login page
                    # never becomes a 304. The body is not sent (nor kept: it was not read).
                    swallow = True
                    await self._not_modified(send, etag, version)
                    return
                # Copied now: outer middleware (security headers, CORS) adds its own later.
                start, body = dict(message, headers=list(message["headers"])), []
            elif message["type"] == "http.response.body":
                if swallow:
                    return
                if body is not None and start is not None:
                    body.append(message.get("body", b""))
                    collected += len(body[-1])
                    if collected > RenderCache.MAX_BODY:
                        # Too big to keep (a streamed CSV export): stop collecting it, so a
                        # stream stays a stream in constant memory.
                        body = None
                    elif not message.get("more_body", False):
                        self.render_cache.put(
                            key, CachedResponse(start["status"], start["headers"], b"".join(body))
                        )
            await send(message)

        await self.app(scope, receive, send_shared)

    def _may_share_request(self, scope: Scope) -> bool:
        # HEAD arrives here as GET (HeadAsGetMiddleware), and shares GET's entries.
        return (
            scope["method"] == "GET"
            and not carries_session_cookie(scope, self.session_cookie)
            # A client just after its own write (app/replicas.py) must not get a page stored
            # before it: neither from the render cache nor, kept, by a shared cache.
            and scope.get("state", {}).get("wrote_lsn") is None
            and self.is_reader(scope)
        )

    @staticmethod
    def _send_unshared(send: Send, *, personal: bool) -> Send:
        async def send_unshared(message: Message) -> None:
            if message["type"] == "http.response.start":
                _unshared(message, personal=personal)
            await send(message)

        return send_unshared

    @staticmethod
    async def _not_modified(send: Send, etag: str, version: Version) -> None:
        await send(
            {"type": "http.response.start", "status": 304, "headers": _validators(etag, version)}
        )
        await send({"type": "http.response.body", "body": b""})


class HeadAsGetMiddleware:
    """HEAD wherever GET (RFC 9110 9.3.2): routed, cached and validated as the GET, with the
    headers the GET would have and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
