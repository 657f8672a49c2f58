"""Who is logged in: a signed cookie names the account and its session version.

The cookie is Starlette's SessionMiddleware (signed with itsdangerous, not encrypted: it holds
only ids and a CSRF token). It is checked against the account on every editor request, so bumping
`user.session_version` (logout, deactivation, password reset) kills every older cookie at once,
on every app server, without a server-side session store.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from app.models import Role, User
from app.users.service import PERSON_ROLES

USER_ID = "uid"
SESSION_VERSION = "sv"
CSRF = "csrf"
# Shown in the header on every page without a database query; the rights come from the database.
DISPLAY_NAME = "name"
ROLE = "role"

SESSION_MAX_AGE = 7 * 24 * 60 * 60


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


def session_user(request: Request, session: Session) -> User | None:
    """The account this request's cookie names, if the cookie is still good for it."""
    user_id: Any = request.session.get(USER_ID)
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if (
        user is None
        or not user.is_active
        or user.role not in {r.value for r in PERSON_ROLES}
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


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN.value


def header_account(request: Request) -> dict[str, Any] | None:
    """What the page header shows a logged-in person, from the cookie alone."""
    if USER_ID not in request.session:
        return None
    return {
        "name": request.session.get(DISPLAY_NAME, ""),
        "is_admin": request.session.get(ROLE) == Role.ADMIN.value,
        "csrf_token": request.session.get(CSRF, ""),
    }
