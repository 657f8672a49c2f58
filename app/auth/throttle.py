"""Login throttling: failures counted per account and per client, in the database.

After ACCOUNT_LIMIT failures for one email (or CLIENT_LIMIT from one address) within WINDOW, that
account (or address) is locked for LOCK: logins are answered 429 without checking the password,
so guessing stops costing us a hash and the attacker a useful answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import rows_changed
from app.models import LoginThrottle
from app.models.base import utcnow

ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Locked:
    until: dt.datetime

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int((self.until - utcnow()).total_seconds()) + 1)


def keys(email: str, client: str) -> tuple[str, str]:
    return f"account:{email.strip().lower()[:250]}", f"client:{client[:250]}"


def locked(session: Session, *throttle_keys: str) -> Locked | None:
    """The latest lock among these keys that is still running, if any."""
    until = session.scalar(
        select(LoginThrottle.locked_until)
        .where(LoginThrottle.key.in_(throttle_keys), LoginThrottle.locked_until > utcnow())
        .order_by(LoginThrottle.locked_until.desc())
        .limit(1)
    )
    return Locked(until) if until else None


def record_failure(session: Session, key: str, limit: int) -> None:
    """Count one failure for `key`, locking it once the count reaches `limit` within WINDOW.

    The increment is one UPDATE, so two app servers counting at once cannot lose a failure.
    """
    now = utcnow()
    expired = LoginThrottle.window_started_at < now - WINDOW
    bumped = rows_changed(
        session,
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(
            failures=case((expired, 1), else_=LoginThrottle.failures + 1),
            window_started_at=case((expired, now), else_=LoginThrottle.window_started_at),
        ),
    )
    if bumped == 0:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=1, window_started_at=now))
        except IntegrityError:
            # Another server inserted the first failure a moment ago: count ours on top.
            return record_failure(session, key, limit)
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures >= limit)
        .values(locked_until=now + LOCK, failures=0, window_started_at=now)
    )


def record_failed_login(session: Session, email: str, client: str) -> None:
    account, address = keys(email, client)
    record_failure(session, account, ACCOUNT_LIMIT)
    record_failure(session, address, CLIENT_LIMIT)


def forget_failures(session: Session, email: str) -> None:
    """A good login clears the account's count (the address keeps its own)."""
    account, _ = keys(email, "")
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))


def second_factor_keys(user_id: int, client: str) -> tuple[str, str]:
    """Wrong codes are counted per account apart from wrong passwords: a right password clears
    those, and must not give a fresh run of guesses at a 6-digit code. The address is shared."""
    return f"second-factor:{user_id}", f"client:{client[:250]}"


def record_failed_second_factor(session: Session, user_id: int, client: str) -> None:
    account, address = second_factor_keys(user_id, client)
    record_failure(session, account, ACCOUNT_LIMIT)
    record_failure(session, address, CLIENT_LIMIT)


def forget_second_factor_failures(session: Session, user_id: int) -> None:
    account, _ = second_factor_keys(user_id, "")
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))
