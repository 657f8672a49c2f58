"""Log in (password, then the second factor for accounts that have or need one) and log out."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.account.routes import (
    confirm_setup,
    recovery_codes_page,
    refusal,
    secret_key,
    setup_page,
)
from app.auth import second_factor, throttle
from app.auth.guards import CsrfForm, CurrentUser
from app.auth.passwords import HashingBusy, hash_password, needs_rehash, verify_password
from app.auth.sessions import (
    csrf_token,
    log_in,
    log_out,
    pending_login,
    start_second_step,
)
from app.db import DbSession, write_transaction
from app.links import app_path
from app.models import User
from app.pages import render
from app.users.service import (
    end_sessions,
    replace_password_hash,
    user_by_email,
)

router = APIRouter()

# Seconds a login refused for want of a hashing turn is told to wait.
BUSY_RETRY_AFTER = 5


def safe_next(raw: str | None) -> str:
    """Only a path on this site: `next` must not send a person who just logged in elsewhere."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/"


def _login_page(
    request: Request,
    *,
    email: str = "",
    next_path: str = "/",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "auth/login.html",
        {
            "email": email,
            "next": safe_next(next_path),
            "error": error,
            "csrf_token": csrf_token(request),
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("/login", name="login")
def login_form(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=next or "/")


@dataclass(frozen=True)
class _Account:
    """What the password check needs of an account, read before it (no session held across)."""

    id: int
    password_hash: str | None


def _take_attempt(
    sessions: sessionmaker[Session], email: str, client: str
) -> tuple[throttle.Attempt, _Account | None]:
    """Count the attempt (or refuse it) and find the account: one short write transaction."""
    with write_transaction(sessions) as session:
        attempt = throttle.take_login_attempt(session, email, client)
        throttle.sweep(session)
        user = user_by_email(session, email) if email and attempt.allowed else None
    return attempt, _Account(user.id, user.password_hash) if user else None


def _give_back(sessions: sessionmaker[Session], email: str, client: str) -> None:
    with write_transaction(sessions) as session:
        throttle.give_back_login_attempt(session, email, client)


def _logged_in(
    sessions: sessionmaker[Session], account_id: int, email: str, client: str, new_hash: str | None
) -> User | None:
    """The right password: clear the count, store a stronger hash if one was made; the account
    as it is now (None if it cannot log in: deactivated meanwhile, or the system account)."""
    with write_transaction(sessions) as session:
        user = session.get(User, account_id)
        if user is None or not user.is_active or user.role == "system":
            return None  # counted as a failure, as before: the attempt stays taken
        throttle.forget_failures(session, email, client)
        if new_hash is not None:
            replace_password_hash(session, user, new_hash)
        return user


@router.post("/login")
async def login(request: Request, form: CsrfForm) -> Response:
    """Async, and without the request's session: the hash (slow by design) runs under the
    process's hashing turns with no connection or transaction held, between two short
    transactions (issue 13: a burst of logins held SQLite's write lock and emptied the pool)."""
    email = form.get("email", "").strip()
    password = form.get("password", "")
    next_path = form.get("next", "/")
    client = throttle.client_address(request)
    sessions = request.app.state.sessionmaker
    turns = request.app.state.hashing_turns
    attempt, account = await run_in_threadpool(_take_attempt, sessions, email, client)
    if attempt.lock is not None:
        minutes = (attempt.lock.retry_after_seconds + 59) // 60
        return _login_page(
            request,
            email=email,
            next_path=next_path,
            error=(
                "Too many failed attempts to log in. For your account's safety, logging in is "
                f"paused: try again in {minutes} minute{'s' if minutes != 1 else ''}."
            ),
            status_code=429,
            headers={"Retry-After": str(attempt.lock.retry_after_seconds)},
        )
    stored_hash = account.password_hash if account else None
    try:
        # Always verify (against a dummy hash when the account is unknown): same time either way.
        password_ok = await turns.run(verify_password, stored_hash, password)
    except HashingBusy:
        await run_in_threadpool(_give_back, sessions, email, client)
        return _login_page(
            request,
            email=email,
            next_path=next_path,
            error="Too many people are logging in right now. Try again in a few seconds.",
            status_code=503,
            headers={"Retry-After": str(BUSY_RETRY_AFTER)},
        )
    user = None
    if account is not None and password_ok:
        new_hash = None
        if stored_hash and needs_rehash(stored_hash):
            with suppress(HashingBusy):  # then at the next login
                new_hash = await turns.run(hash_password, password)
        user = await run_in_threadpool(_logged_in, sessions, account.id, email, client, new_hash)
    if user is None:
        # Counted already (before the check), and committed: the answer is a page, not an error.
        return _login_page(
            request,
            email=email,
            next_path=next_path,
            error="That email and password do not match an active account.",
            status_code=401,
        )
    if user.second_factor or user.must_have_second_factor:
        # Half logged in: nothing an editor can do yet, only the code (or setting it up).
        enrol = not user.second_factor
        start_second_step(request, user, next_path=safe_next(next_path), enrol=enrol)
        target = "second_factor_setup" if enrol else "second_factor"
        return RedirectResponse(app_path(request.app, target), status_code=303)
    log_in(request, user)
    return RedirectResponse(safe_next(next_path), status_code=303)


LOGIN_AGAIN = (
    "Your login was not finished in time (or was started in another tab). "
    "Log in again with your email and password."
)


def _code_page(
    request: Request,
    *,
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "auth/second_factor.html",
        {"error": error, "csrf_token": csrf_token(request)},
        status_code=status_code,
        headers=headers,
    )


@router.get("/login/second-factor", name="second_factor")
def second_factor_form(request: Request, session: DbSession) -> Response:
    pending = pending_login(request, session)
    if pending is None or pending.enrol:
        return RedirectResponse(app_path(request.app, "login"), status_code=303)
    return _code_page(request)


@router.post("/login/second-factor")
def check_second_factor(request: Request, session: DbSession, form: CsrfForm) -> Response:
    pending = pending_login(request, session)
    if pending is None or pending.enrol:
        return _login_page(request, error=LOGIN_AGAIN, status_code=401)
    outcome = second_factor.attempt(
        session,
        pending.user,
        form.get("code", ""),
        secret_key=secret_key(request),
        client=throttle.client_address(request),
    )
    if not outcome.accepted:
        message, status, headers = refusal(outcome, recovery=True)
        return _code_page(request, error=message, status_code=status, headers=headers)
    log_in(request, pending.user)
    if outcome.recovery_codes_left is not None:
        return render(
            request,
            "auth/recovery_code_used.html",
            {"left": outcome.recovery_codes_left, "next": pending.next_path},
        )
    return RedirectResponse(pending.next_path, status_code=303)


@router.get("/login/second-factor/setup", name="second_factor_setup")
def setup_form(request: Request, session: DbSession) -> Response:
    pending = pending_login(request, session)
    if pending is None or not pending.enrol:
        return RedirectResponse(app_path(request.app, "login"), status_code=303)
    return setup_page(request, pending.user, action=request.url.path, during_login=True)


@router.post("/login/second-factor/setup")
def set_up(request: Request, session: DbSession, form: CsrfForm) -> Response:
    pending = pending_login(request, session)
    if pending is None or not pending.enrol:
        return _login_page(request, error=LOGIN_AGAIN, status_code=401)
    confirmed = confirm_setup(request, session, pending.user, form, during_login=True)
    if isinstance(confirmed, Response):
        return confirmed
    user, codes = confirmed
    log_in(request, user)
    return recovery_codes_page(request, codes, next_path=pending.next_path, first_time=True)


@router.post("/logout", name="logout")
def logout(request: Request, session: DbSession, form: CsrfForm, user: CurrentUser) -> Response:
    if user is not None:
        # Not only this cookie: every copy of any cookie of this account stops working.
        end_sessions(session, user)
    log_out(request)
    return RedirectResponse("/", status_code=303)
