"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation).

A hash is ~0.1 s of CPU and 64 MB, chosen to be slow: a burst of logins must not queue it on
every core, nor inside a transaction (on SQLite a write lock) that readers or editors then wait
for. `HashingTurns` runs hashes a few at a time, in low-priority threads of their own, and refuses
quickly when no turn comes; callers hold no database connection meanwhile (app/auth/routes.py).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from typing import TypeVar

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.auth.common_passwords import COMMON_PASSWORDS

PASSWORD_MIN = 12
PASSWORD_MAX = 200

_hasher = PasswordHasher()
# Verified against when the email is unknown, so that a wrong email costs as long as a wrong
# password and response times do not tell which accounts exist.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _UNKNOWN_ACCOUNT_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


T = TypeVar("T")


class HashingBusy(Exception):
    """Every hashing turn stayed taken for the whole wait: answer 503, do not queue for ever."""


class HashingTurns:
    """At most `limit` hashes at once in this process; a caller waits `timeout` s for a turn.

    The wait is on the event loop, not in a worker thread, so logins waiting for a turn take no
    thread that other requests need. Hashes run in threads of their own at the lowest CPU
    priority (Argon2's lanes, threads it starts, inherit it): under a flood of logins the
    hashing gets the CPU that nothing else wants, and readers and editors' saves go first.
    """

    def __init__(self, limit: int, timeout: float) -> None:
        self.turns = anyio.CapacityLimiter(limit)
        self.timeout = timeout
        self.pool = ThreadPoolExecutor(
            limit, thread_name_prefix="password-hash", initializer=_lowest_cpu_priority
        )

    def close(self) -> None:
        self.pool.shutdown(wait=False)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        got_turn = False
        with anyio.move_on_after(self.timeout):
            await self.turns.acquire()
            got_turn = True
        if not got_turn:
            raise HashingBusy()
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, partial(work, *args))
        finally:
            self.turns.release()


def _lowest_cpu_priority() -> None:
    # On Linux a thread's id names the thread alone, so only the hashing threads are niced.
    if hasattr(os, "setpriority"):
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker settings than today's: rehash at the next login."""
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused, in words, or None."""
    folded = password.strip().lower()
    if email and folded and (folded == email.lower() or folded == email.lower().split("@")[0]):
        return "must not be the email address"
    if folded in COMMON_PASSWORDS:
        return "is one of the most common passwords, tried first by attackers: choose another"
    if len(password) < PASSWORD_MIN:
        return f"must be at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"must be at most {PASSWORD_MAX} characters"
    if "\x00" in password:
        return "must not contain NUL bytes"
    return None
