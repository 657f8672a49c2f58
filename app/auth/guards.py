"""Who may do what: dependencies for editor and admin pages and posts, and what a refusal shows.

GET pages for editors redirect a visitor to the login page. A refused post (no login, a bad or
missing CSRF token) never loses what was typed: the answer shows it back, ready to send again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from app.auth.csrf import EXEMPT_ROUTES, UNSAFE_METHODS, csrf_problem
from app.auth.refused_forms import refused_form_page
from app.auth.sessions import session_user
from app.db import DbSession
from app.exceptions import NotYourNegotiation
from app.models import User
from app.pages import render, wants_fragment
from app.posted_forms import PostedForm, UnreadableForm, posted_form


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class SecondFactorRequired(Exception):
    """An admin without a second factor (one from before it was required, or just promoted)."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormRefused(Exception):
    """A post refused before it was looked at; the page shows the typed text back."""

    def __init__(self, status: int, title: str, message: str, form: dict[str, str]) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.form = form


def current_user(request: Request, session: DbSession) -> User | None:
    return session_user(request, session)


CurrentUser = Annotated[User | None, Depends(current_user)]


def needs_second_factor(user: User) -> bool:
    return user.must_have_second_factor and not user.second_factor


def editor(request: Request, user: CurrentUser) -> User:
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    if needs_second_factor(user):
        raise SecondFactorRequired()
    # For pages that build their forms deep down (which negotiations a form offers).
    request.state.editor = user
    return user


Editor = Annotated[User, Depends(editor)]


def admin(user: Editor) -> User:
    if not user.is_admin:
        raise Forbidden("Only admins can open this page. Ask an admin if you need access.")
    return user


Admin = Annotated[User, Depends(admin)]


def csrf_checked(request: Request, form: PostedForm) -> dict[str, str]:
    problem = csrf_problem(request, form)
    if problem:
        raise FormRefused(
            403,
            "This form could not be accepted",
            f"{problem} Nothing was saved. What you typed is below.",
            form,
        )
    return form


CsrfForm = Annotated[dict[str, str], Depends(csrf_checked)]


async def csrf_by_default(request: Request) -> None:
    """Every unsafe request carries this browser's token, unless its route is exempt by name.

    A dependency of the whole app (create_app), so that a route which forgets to ask for
    `CsrfForm` is guarded all the same; it runs before the route's own dependencies.
    """
    if request.method not in UNSAFE_METHODS:
        return
    route = request.scope.get("route")
    if getattr(route, "name", None) in EXEMPT_ROUTES:
        return
    content_type = request.headers.get("content-type", "")
    # A body that is no HTML form (a script's JSON) can only carry the token in the header.
    is_form = not content_type or content_type.startswith("application/x-www-form-urlencoded")
    csrf_checked(request, await posted_form(request) if is_form else {})


@dataclass(frozen=True)
class Post:
    user: User
    form: dict[str, str]


def editor_post(request: Request, form: CsrfForm, user: CurrentUser) -> Post:
    if user is None:
        raise FormRefused(
            401,
            "You are not logged in",
            "Your session has ended (you logged out, or an admin changed your account). "
            "Nothing was saved. Log in in another tab, then send what you typed again.",
            form,
        )
    if needs_second_factor(user):
        raise FormRefused(
            403,
            "Set up your second factor first",
            "Admins must log in with a second factor. Nothing was saved: set it up on your "
            "account page, then send what you typed again.",
            form,
        )
    request.state.editor = user
    return Post(user, form)


EditorPost = Annotated[Post, Depends(editor_post)]


def admin_post(post: EditorPost) -> Post:
    if not post.user.is_admin:
        raise Forbidden("Only admins can change accounts.")
    return post


AdminPost = Annotated[Post, Depends(admin_post)]


def install_guards(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        if wants_fragment(request):
            # htmx would follow a redirect and swap the whole login page into a part of the form.
            return HTMLResponse(
                '<p class="field-error" role="alert">Your session has ended: '
                '<a href="/login" target="_blank" rel="noopener">log in again</a> '
                "(in a new tab, so this form stays as it is).</p>",
                status_code=401,
            )
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(SecondFactorRequired)
    async def to_enrolment(request: Request, exc: SecondFactorRequired) -> Response:
        if wants_fragment(request):
            return HTMLResponse(
                '<p class="field-error" role="alert">Set up your second factor first: '
                '<a href="/account/second-factor">your account</a>.</p>',
                status_code=403,
            )
        return RedirectResponse("/account/second-factor", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(
            request,
            "errors/error.html",
            {"status": 403, "message": exc.message, "title": "Not allowed"},
            status_code=403,
        )

    @app.exception_handler(FormRefused)
    async def refused(request: Request, exc: FormRefused) -> Response:
        return refused_form_page(
            request, exc.form, status=exc.status, title=exc.title, message=exc.message
        )

    @app.exception_handler(NotYourNegotiation)
    async def not_yours(request: Request, exc: NotYourNegotiation) -> Response:
        # Raised by the write path (app/revisions.py) after the form was read: what was typed
        # comes back, but no "send again" (it would be refused the same way).
        return refused_form_page(
            request,
            getattr(request.state, "posted_form", {}),
            status=403,
            title="Not one of your negotiations",
            message=exc.message,
            resend=False,
            not_sent="Copy what you need: sending it again would be refused the same way.",
        )

    @app.exception_handler(UnreadableForm)
    async def bad_form(request: Request, exc: UnreadableForm) -> Response:
        return render(
            request,
            "errors/error.html",
            {"status": exc.status, "message": f"{exc.message} Nothing was saved."},
            status_code=exc.status,
        )
