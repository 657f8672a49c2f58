"""Login throttling: failures counted per account and per client, in the database.

After ACCOUNT_LIMIT failures for one email (or CLIENT_LIMIT from one address) within WINDOW, that
account (or address) is locked for LOCK: logins are answered 429 without checking the password,
so guessing stops costing us a hash and the attacker a useful answer.

An attempt is counted before the password is checked, in one atomic statement that also decides
whether it may go ahead, and given back when the password was right: a burst of concurrent
guesses gets exactly the limit through, however many arrive at once (issue 13).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import LoginThrottle
from app.models.base import UTCDateTime, utcnow

ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)


SWEEP_BATCH = 100


@dataclass(frozen=True)
class Locked:
    until: dt.datetime

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int((self.until - utcnow()).total_seconds()) + 1)


@dataclass(frozen=True)
class Attempt:
    """An attempt counted: it may go ahead unless a lock stops it."""

    lock: Locked | None

    @property
    def allowed(self) -> bool:
        return self.lock is None


def client_address(request: Request) -> str:
    """The address attempts are counted by: the peer's, or, behind a proxy named in
    PARLEY_TRUSTED_PROXIES, the client's that it forwarded (create_app's ProxyHeadersMiddleware
    has put it in request.client by then)."""
    return request.client.host if request.client else "unknown"


def keys(email: str, client: str) -> tuple[str, str]:
    return f"account:{email.strip().lower()[:250]}", f"client:{client[:250]}"


def _dialect_insert(session: Session) -> Any:
    """INSERT with ON CONFLICT for this session's database (both speak the same upsert)."""
    return sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert


def take_attempt(session: Session, key: str, limit: int) -> Attempt:
    """Count one attempt for `key` and say whether it may go ahead, in ONE statement.

    The check and the count are a single upsert that returns the new count, so concurrent
    attempts (threads, processes, app servers) are serialised by the row itself: exactly `limit`
    attempts per window get through, never more. The attempt is counted *before* the password is
    checked; a right password gives it back (`give_back`, `forget`), so what is counted in the
    end is failures, as before. The first attempt beyond the limit starts the LOCK; attempts
    while it runs change nothing. Once the window (or the lock) is over, counting starts afresh.
    """
    now = utcnow()
    row = LoginThrottle.__table__.c
    lock_ends = literal(now + LOCK, UTCDateTime())
    started = literal(now, UTCDateTime())
    running = row.locked_until > now
    fresh = or_(row.window_started_at < now - WINDOW, row.locked_until.is_not(None))
    insert = _dialect_insert(session)(LoginThrottle).values(
        key=key, failures=1, window_started_at=now, locked_until=None
    )
    statement = insert.on_conflict_do_update(
        index_elements=[row.key],
        set_={
            "failures": case((running, row.failures), (fresh, 1), else_=row.failures + 1),
            "window_started_at": case(
                (running, row.window_started_at), (fresh, started), else_=row.window_started_at
            ),
            "locked_until": case(
                (running, row.locked_until),
                (fresh, None),
                (row.failures + 1 > limit, lock_ends),
                else_=None,
            ),
        },
    ).returning(row.failures, row.locked_until)
    failures, locked_until = session.execute(statement).one()
    if failures > limit:
        return Attempt(Locked(locked_until or now + LOCK))
    return Attempt(None)


def give_back(session: Session, key: str) -> None:
    """Un-count an attempt that turned out not to be a failure (a right password, or one that
    was never checked because the server was busy)."""
    session.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.key == key,
            LoginThrottle.failures > 0,
            LoginThrottle.locked_until.is_(None),
        )
        .values(failures=LoginThrottle.failures - 1)
    )


def take_login_attempt(session: Session, email: str, client: str) -> Attempt:
    """An attempt at a password, counted for the account and for the address."""
    return _take_both(session, *keys(email, client))


def _take_both(session: Session, account: str, address: str) -> Attempt:
    """The account's count first: a locked account costs the address nothing."""
    attempt = take_attempt(session, account, ACCOUNT_LIMIT)
    if not attempt.allowed:
        return attempt
    by_address = take_attempt(session, address, CLIENT_LIMIT)
    if not by_address.allowed:
        give_back(session, account)
    return by_address


def give_back_login_attempt(session: Session, email: str, client: str) -> None:
    for key in keys(email, client):
        give_back(session, key)


def forget_failures(session: Session, email: str, client: str) -> None:
    """A good login clears the account's count; the address gets this attempt back (it keeps
    the count of its other failures)."""
    account, address = keys(email, client)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))
    give_back(session, address)


def sweep(session: Session, batch: int = SWEEP_BATCH) -> None:
    """Delete up to `batch` rows that no longer mean anything (window over, no lock running):
    the next attempt would start afresh anyway. Run at every login, so the table stays the size
    of the recent attempts; bounded, and a range scan of the window index. Rows another sweep
    holds are skipped (PostgreSQL), not waited for."""
    now = utcnow()
    stale = (
        select(LoginThrottle.key)
        .where(
            LoginThrottle.window_started_at < now - max(WINDOW, LOCK),
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .order_by(LoginThrottle.window_started_at)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale.scalar_subquery())))


def second_factor_keys(user_id: int, client: str) -> tuple[str, str]:
    """Wrong codes are counted per account apart from wrong passwords: a right password clears
    those, and must not give a fresh run of guesses at a 6-digit code. The address is shared."""
    return f"second-factor:{user_id}", f"client:{client[:250]}"


def take_second_factor_attempt(session: Session, user_id: int, client: str) -> Attempt:
    return _take_both(session, *second_factor_keys(user_id, client))


def give_back_second_factor_attempt(session: Session, user_id: int, client: str) -> None:
    for key in second_factor_keys(user_id, client):
        give_back(session, key)


def forget_second_factor_failures(session: Session, user_id: int, client: str) -> None:
    account, address = second_factor_keys(user_id, client)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))
    give_back(session, address)
