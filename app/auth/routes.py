"""Log in and log out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth import throttle
from app.auth.guards import CsrfForm, CurrentUser
from app.auth.passwords import verify_password
from app.auth.sessions import csrf_token, log_in, log_out
from app.db import DbSession
from app.users.service import end_sessions, upgrade_hash_if_needed, user_by_email
from app.web import render

router = APIRouter()


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
    response = render(
        request,
        "auth/login.html",
        {
            "email": email,
            "next": safe_next(next_path),
            "error": error,
            "csrf_token": csrf_token(request),
        },
        status_code=status_code,
    )
    response.headers.update(headers or {})
    return response


@router.get("/login", name="login")
def login_form(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=next or "/")


@router.post("/login")
def login(request: Request, session: DbSession, form: CsrfForm) -> Response:
    email = form.get("email", "").strip()
    password = form.get("password", "")
    next_path = form.get("next", "/")
    client = request.client.host if request.client else "unknown"
    lock = throttle.locked(session, *throttle.keys(email, client))
    if lock is not None:
        minutes = (lock.retry_after_seconds + 59) // 60
        return _login_page(
            request,
            email=email,
            next_path=next_path,
            error=(
                "Too many failed attempts to log in. For your account's safety, logging in is "
                f"paused: try again in {minutes} minute{'s' if minutes != 1 else ''}."
            ),
            status_code=429,
            headers={"Retry-After": str(lock.retry_after_seconds)},
        )
    user = user_by_email(session, email) if email else None
    # Always verify (against a dummy hash when the account is unknown): same time either way.
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active or user.role == "system":
        # Counted in this request's transaction, which commits: the answer is a page, not an error.
        throttle.record_failed_login(session, email, client)
        return _login_page(
            request,
            email=email,
            next_path=next_path,
            error="That email and password do not match an active account.",
            status_code=401,
        )
    throttle.forget_failures(session, email)
    upgrade_hash_if_needed(session, user, password)
    log_in(request, user)
    return RedirectResponse(safe_next(next_path), status_code=303)


@router.post("/logout", name="logout")
def logout(request: Request, session: DbSession, form: CsrfForm, user: CurrentUser) -> Response:
    if user is not None:
        # Not only this cookie: every copy of any cookie of this account stops working.
        end_sessions(session, user)
    log_out(request)
    return RedirectResponse("/", status_code=303)
