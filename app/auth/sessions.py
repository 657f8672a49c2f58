"""Who is logged in: a signed cookie names the account and its session version.

The cookie is Starlette's SessionMiddleware (signed with itsdangerous, not encrypted: it holds
only ids and a CSRF token). It is checked against the account on every editor request, so bumping
`user.session_version` (logout, deactivation, password reset) kills every older cookie at once,
on every app server, without a server-side session store.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from app.models import Role, User

USER_ID = "uid"
SESSION_VERSION = "sv"
CSRF = "csrf"
# Shown in the header on every page without a database query; the rights come from the database.
DISPLAY_NAME = "name"
ROLE = "role"

SESSION_MAX_AGE = 7 * 24 * 60 * 60
# Half logged in: the password was right, the second factor is still to come. Not a login.
PENDING = "pending"
# Enough to find the phone, open the app (or scan a first QR code) and type; short enough that a
# browser left at the code page does not stay one code away from a session for long.
PENDING_MAX_AGE = 10 * 60
# A TOTP secret being set up, sealed (encrypted), until a code from the app confirms it.
TOTP_CANDIDATE = "totp_candidate"


def csrf_token(request: Request) -> str:
    """This browser's CSRF token, made on first use (which is what sets the cookie)."""
    token: str | None = request.session.get(CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF] = token
    return token


def log_in(request: Request, user: User) -> None:
    """Start a fresh session: nothing from before the login (not even the CSRF token) survives."""
    request.session.clear()
    request.session.update(
        {
            USER_ID: user.id,
            SESSION_VERSION: user.session_version,
            CSRF: secrets.token_urlsafe(32),
            DISPLAY_NAME: user.display_name,
            ROLE: user.role,
        }
    )


def log_out(request: Request) -> None:
    request.session.clear()


@dataclass(frozen=True)
class Pending:
    """Who gave the right password, and what they must do before they are logged in."""

    user: User
    next_path: str
    # True: the account has no second factor yet and must set one up (admins); False: a code.
    enrol: bool


def _pending_signer(request: Request) -> URLSafeTimedSerializer:
    # The session cookie is signed already, but only this signature carries a time: the marker
    # expires after PENDING_MAX_AGE while the cookie lives a week. The salt keeps it from ever
    # being read as anything else.
    secret_key: str = request.app.state.settings.secret_key
    return URLSafeTimedSerializer(secret_key, salt="parley.second-factor.pending")


def start_second_step(request: Request, user: User, *, next_path: str, enrol: bool) -> None:
    """Half log in: a fresh session holding only the pending marker and a CSRF token."""
    request.session.clear()
    request.session[PENDING] = _pending_signer(request).dumps(
        {"uid": user.id, "sv": user.session_version, "next": next_path, "enrol": enrol}
    )
    request.session[CSRF] = secrets.token_urlsafe(32)


def pending_login(request: Request, session: Session) -> Pending | None:
    """The half-finished login this cookie carries, if it is recent and the account still good."""
    raw = request.session.get(PENDING)
    if not isinstance(raw, str):
        return None
    try:
        data = _pending_signer(request).loads(raw, max_age=PENDING_MAX_AGE)
    except BadSignature:  # also SignatureExpired
        request.session.pop(PENDING, None)
        return None
    user = session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if (
        user is None
        or not user.is_active
        or not user.is_person
        or data.get("sv") != user.session_version
    ):
        request.session.pop(PENDING, None)
        return None
    return Pending(user, str(data.get("next") or "/"), bool(data.get("enrol")))


def session_user(request: Request, session: Session) -> User | None:
    """The account this request's cookie names, if the cookie is still good for it."""
    user_id: Any = request.session.get(USER_ID)
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if (
        user is None
        or not user.is_active
        or not user.is_person
        or request.session.get(SESSION_VERSION) != user.session_version
    ):
        # A dead cookie: forget it, so the header stops offering "Log out".
        request.session.pop(USER_ID, None)
        request.session.pop(SESSION_VERSION, None)
        request.session.pop(DISPLAY_NAME, None)
        request.session.pop(ROLE, None)
        return None
    if request.session.get(ROLE) != user.role or request.session.get(DISPLAY_NAME) != (
        user.display_name
    ):
        # An admin changed the role or name: keep the header's copy in step.
        request.session[ROLE] = user.role
        request.session[DISPLAY_NAME] = user.display_name
    return user


def header_account(request: Request) -> dict[str, Any] | None:
    """What the page header shows a logged-in person, from the cookie alone."""
    if USER_ID not in request.session:
        return None
    return {
        "name": request.session.get(DISPLAY_NAME, ""),
        "is_admin": request.session.get(ROLE) == Role.ADMIN.value,
        "csrf_token": request.session.get(CSRF, ""),
    }


def edits_negotiation(request: Request, negotiation_id: int) -> bool:
    """Whether the person logged in edits these talks: reader pages (which know nothing of
    logins) show their editor links by it, through a template global. A reader's request, with
    no account in its cookie, costs no query, so reader pages' query counts hold."""
    if USER_ID not in request.session:
        return False
    session = getattr(request.state, "db_session", None)
    if session is None:
        return False
    user = session_user(request, session)
    return user is not None and user.may_edit_negotiation(negotiation_id)
