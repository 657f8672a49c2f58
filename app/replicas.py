"""Read replicas: which database an anonymous read goes to, and when a replica is skipped.

Anonymous reads (GET without a session cookie, as `app.caching` tells them) go to a streaming
replica that is reachable, not lagging more than `replica_max_lag_s`, and already holds
everything this client wrote and everything this process has served. Everything else reads from
the primary: editors, writes, the requests of a client shortly after its own write, and every
read while no replica qualifies. docs/scaling.md gives the reasons.

Replicas are checked in a background thread every `replica_check_interval_s`, never per request:
a dead replica costs a request at most its connect timeout once (it is then marked unreachable
until the next check shows it back), and a request whose replica fails is answered again from
the primary before anything was sent (`ReplicaRoutingMiddleware`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import Revision

# Set after a write, so the client's next reads wait for a replica that has replayed it (or read
# from the primary). Signed, and honoured only for as long as a usable replica may lag.
WROTE_COOKIE = "parley_wrote"
# Which database answered, for the balancer's logs, the harness and the tests. Names no host.
READ_FROM_HEADER = "x-parley-read-from"
# Recent (time, primary LSN) pairs per check: how the lag is bounded when no write replays.
_HISTORY = 600


def parse_lsn(value: str) -> int:
    """PostgreSQL's `16/B374D848` as one comparable number."""
    high, low = value.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


@dataclass(frozen=True)
class ReplicaState:
    """What the last check found: usable or not, and why."""

    name: str
    usable: bool
    reason: str
    lag_s: float | None = None
    replay_lsn: int | None = None
    revision_id: int | None = None
    checked_at: float = 0.0


@dataclass
class Replica:
    name: str
    engine: Engine
    sessions: sessionmaker[Session]
    state: ReplicaState


class Replicas:
    """The replicas of one app process, their last known state, and the choice per request."""

    def __init__(
        self,
        primary: Engine,
        engines: Sequence[Engine],
        *,
        max_lag_s: float,
        check_interval_s: float,
        served_revision: Callable[[], int | None],
    ) -> None:
        self.primary = primary
        self.max_lag_s = max_lag_s
        self.check_interval_s = check_interval_s
        # The highest data version this process has put in an ETag: no replica behind it is used,
        # so neither a page nor its tag ever goes backwards for this process's readers.
        self._served_revision = served_revision
        self.replicas = [
            Replica(
                # By position, not host: /healthz is public and shows these.
                name=f"replica-{number}",
                engine=engine,
                sessions=sessionmaker(engine, expire_on_commit=False, autoflush=False),
                state=ReplicaState(f"replica-{number}", usable=False, reason="not checked yet"),
            )
            for number, engine in enumerate(engines, start=1)
        ]
        self._history: deque[tuple[float, int]] = deque(maxlen=_HISTORY)
        self._lock = threading.Lock()
        self._next = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- checks ------------------------------------------------------------------------------

    def check_now(self) -> list[ReplicaState]:
        """One round: the primary's WAL position, then each replica's replay position and lag."""
        # Taken before asking: at this time the primary had written at most the position read,
        # so a replica that has replayed it held all the primary had then (see _lag).
        asked_at = time.monotonic()
        try:
            with self.primary.connect() as connection:
                primary_lsn = parse_lsn(
                    connection.scalar(text("SELECT pg_current_wal_lsn()::text"))
                )
            self._history.append((asked_at, primary_lsn))
        except SQLAlchemyError:
            primary_lsn = None  # judged on their own clocks alone (replay timestamp) then
        for replica in self.replicas:
            replica.state = self._check(replica, primary_lsn)
        return self.states()

    def _check(self, replica: Replica, primary_lsn: int | None) -> ReplicaState:
        now = time.monotonic()
        try:
            with replica.engine.connect() as connection:
                row = connection.execute(
                    text(
                        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                        " extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
                    )
                ).one()
                revision_id = connection.scalar(select(func.max(Revision.id))) or 0
        except SQLAlchemyError as problem:
            reason = f"unreachable ({type(getattr(problem, 'orig', None) or problem).__name__})"
            return ReplicaState(replica.name, usable=False, reason=reason, checked_at=now)
        in_recovery, replay_text, since_replay = row
        if not in_recovery or replay_text is None:
            return ReplicaState(
                replica.name, usable=False, reason="not a streaming replica", checked_at=now
            )
        replay_lsn = parse_lsn(replay_text)
        lag = self._lag(now, replay_lsn, primary_lsn, since_replay)
        state = ReplicaState(
            replica.name,
            usable=lag is not None and lag <= self.max_lag_s,
            reason="ok",
            lag_s=lag,
            replay_lsn=replay_lsn,
            revision_id=revision_id,
            checked_at=now,
        )
        if not state.usable:
            lagging = "unknown" if lag is None else f"{lag:.1f} s"
            state = replace(state, reason=f"lagging {lagging} > {self.max_lag_s:g} s")
        return state

    def _lag(
        self, now: float, replay_lsn: int, primary_lsn: int | None, since_replay: object
    ) -> float | None:
        """How far behind the replica may be, in seconds (an upper bound).

        Caught up with the primary as last read: 0. Otherwise the smaller of the time since the
        last transaction it replayed (pg_last_xact_replay_timestamp, which alone would call a
        replica of a quiet primary minutes behind at its first new write) and the time since a
        check last saw the primary at a position the replica has now replayed.
        """
        if primary_lsn is not None and replay_lsn >= primary_lsn:
            return 0.0
        bounds = [float(since_replay)] if since_replay is not None else []  # type: ignore[arg-type]
        caught_up_at = [at for at, lsn in self._history if lsn <= replay_lsn]
        if caught_up_at:
            bounds.append(now - max(caught_up_at))
        return max(0.0, min(bounds)) if bounds else None

    def start(self) -> None:
        if not self.replicas or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="replica-checks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for replica in self.replicas:
            replica.engine.dispose()

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a check must never end the checking
                self.check_now()
            self._stop.wait(self.check_interval_s)

    # --- the choice --------------------------------------------------------------------------

    def choose(self, wrote_lsn: int | None) -> Replica | None:
        """A replica for an anonymous read, or None for the primary. Round robin among those
        that qualify."""
        served = self._served_revision()
        if served is None:
            return None  # this process's version is being re-read after a write: primary
        candidates = [
            replica
            for replica in self.replicas
            if replica.state.usable
            and (replica.state.revision_id or 0) >= served
            and (wrote_lsn is None or (replica.state.replay_lsn or 0) >= wrote_lsn)
        ]
        if not candidates:
            return None
        with self._lock:
            self._next += 1
            return candidates[self._next % len(candidates)]

    def mark_unreachable(self, replica: Replica, problem: BaseException) -> None:
        """A request could not use `replica`: skip it until a check finds it back."""
        replica.state = replace(
            replica.state, usable=False, reason=f"failed a request ({type(problem).__name__})"
        )

    def states(self) -> list[ReplicaState]:
        return [replica.state for replica in self.replicas]

    def primary_lsn(self, session: Session) -> int | None:
        """The primary's WAL position, read after a commit: at or past that commit's record."""
        try:
            value = session.scalar(text("SELECT pg_current_wal_lsn()::text"))
        except SQLAlchemyError:
            return None
        return parse_lsn(value) if value else None


# --- The cookie of a client's own write, and answering again from the primary -----------------


class WroteCookie:
    """`parley_wrote`: the WAL position of the client's last write, signed with its time."""

    def __init__(self, secret_key: str, max_age_s: float) -> None:
        self._signer = TimestampSigner(secret_key, salt="parley-wrote")
        self.max_age_s = max_age_s

    def value(self, lsn: int) -> str:
        return self._signer.sign(format_lsn(lsn)).decode()

    def read(self, scope: Scope) -> int | None:
        """The position in the request's cookie, if signed by us and recent enough."""
        for name, raw in scope["headers"]:
            if name != b"cookie":
                continue
            value = cookie_parser(raw.decode("latin-1")).get(WROTE_COOKIE)
            if not value:
                continue
            try:
                lsn = self._signer.unsign(value, max_age=int(self.max_age_s)).decode()
                return parse_lsn(lsn)
            except (BadSignature, ValueError):
                return None
        return None


class ReplicaRoutingMiddleware:
    """Reads the client's write cookie into the request, sets it after a write, names the
    database that answered, and answers once more from the primary when the replica chosen for a
    read failed before anything was sent (a replica stopped between two checks: no 5xx)."""

    def __init__(self, app: ASGIApp, cookie: WroteCookie, secure: bool) -> None:
        self.app = app
        self.cookie = cookie
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["wrote_lsn"] = self.cookie.read(scope)
        retry = await self._attempt(scope, receive, send, state)
        if retry:
            # Only a GET is asked again (get_session marks no other): its body is empty.
            state.update(replica_failed=None, read_from=None, primary_only=True)
            await self._attempt(scope, _empty_body(receive), send, state, last=True)

    async def _attempt(
        self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any], last: bool = False
    ) -> bool:
        """Run the app once; True when its answer was held back to be asked again."""
        held = False

        async def send_routed(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                if not last and message["status"] >= 500 and state.get("replica_failed"):
                    held = True
                    return
                headers = MutableHeaders(scope=message)
                if state.get("read_from"):
                    headers[READ_FROM_HEADER] = state["read_from"]
                if state.get("written_lsn") is not None:
                    headers.append("set-cookie", self._set_cookie(state["written_lsn"]))
            elif held:
                return
            await send(message)

        await self.app(scope, receive, send_routed)
        return held

    def _set_cookie(self, lsn: int) -> str:
        secure = "; Secure" if self.secure else ""
        return (
            f"{WROTE_COOKIE}={self.cookie.value(lsn)}; Max-Age={int(self.cookie.max_age_s) + 1};"
            f" Path=/; HttpOnly; SameSite=Lax{secure}"
        )


def _empty_body(receive: Receive) -> Receive:
    """The request's (empty) body once more, then whatever the client sends next."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return replay
