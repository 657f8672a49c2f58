"""Admin pages for accounts: list, create, deactivate, reactivate, reset password, change role,
choose the negotiations an editor edits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.guards import Admin, AdminPost, Post
from app.auth.sessions import csrf_token
from app.conflicts import form_version
from app.db import DbSession
from app.exceptions import FieldProblem, InvalidChoice, NotAllowed, Refusal, found
from app.field_types import whole_number
from app.history import history
from app.ids import MAX_ID, RecordId
from app.models import Role, User
from app.models.user import PERSON_ROLES
from app.negotiations.queries import ordered_negotiations
from app.pages import render
from app.posted_forms import validate
from app.revisions import StaleVersion
from app.users.queries import people, person
from app.users.service import (
    NegotiationGrant,
    PasswordProblem,
    UserFields,
    change_role,
    create_user,
    reset_password,
    reset_second_factor,
    set_active,
    set_negotiations,
)

router = APIRouter()

ROLE_CHOICES = [(r.value, r.value) for r in PERSON_ROLES]


# The grant's fields on both forms: a radio, and one checkbox per negotiation (a form keeps the
# first value of a repeated name, app/posted_forms.py, so each box has a name of its own).
SCOPE_FIELD = "negotiations_scope"
TICK_PREFIX = "negotiation_"


@dataclass(frozen=True)
class GrantShown:
    """The grant as the form shows it: `scope` ("all" or "named") and the ticked ids."""

    scope: str
    ids: frozenset[str]

    @classmethod
    def of(cls, user: User) -> GrantShown:
        return cls(
            "all" if user.all_negotiations else "named",
            frozenset(str(n.id) for n in user.granted),
        )

    @classmethod
    def typed(cls, form: dict[str, str]) -> GrantShown:
        ticks = frozenset(
            name.removeprefix(TICK_PREFIX) for name in form if name.startswith(TICK_PREFIX)
        )
        return cls(form.get(SCOPE_FIELD, ""), ticks)


def grant_from(form: dict[str, str]) -> NegotiationGrant:
    """The posted grant; InvalidChoice (shown beside the fieldset) for anything the form
    could not have sent. Whether each ticked negotiation exists is the service's check."""
    scope = form.get(SCOPE_FIELD, "")
    if scope not in ("all", "named"):
        raise InvalidChoice(
            "negotiations",
            "Choose “Every negotiation” or “Only the negotiations ticked here”.",
        )
    ids = set()
    for name, value in form.items():
        if not name.startswith(TICK_PREFIX):
            continue
        number = whole_number(name.removeprefix(TICK_PREFIX), low=1, high=MAX_ID)
        if number is None or value != "1":
            raise InvalidChoice(
                "negotiations",
                "A ticked negotiation is not one of the list: reload the page and tick again.",
            )
        ids.add(number)
    return NegotiationGrant(
        all_negotiations=scope == "all",
        negotiation_ids=frozenset(ids) if scope == "named" else frozenset(),
    )


def _person(session: DbSession, user_id: int) -> User:
    return found(person(session, user_id), f"There is no account number {user_id}.")


@router.get("/admin/users", name="users")
def list_users(request: Request, session: DbSession, admin: Admin) -> Response:
    return render(request, "users/list.html", {"users": people(session)})


def _new_page(
    request: Request,
    session: DbSession,
    values: dict[str, str],
    errors: dict[str, str],
    grant: GrantShown,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "users/new.html",
        {
            "values": values,
            "errors": errors,
            "grant": grant,
            "negotiations": ordered_negotiations(session),
            "roles": ROLE_CHOICES,
            "csrf_token": csrf_token(request),
        },
        status_code=status_code,
    )


@router.get("/admin/users/new", name="new_user")
def new_user_form(request: Request, session: DbSession, admin: Admin) -> Response:
    return _new_page(
        request, session, {"role": Role.EDITOR.value}, {}, GrantShown("all", frozenset())
    )


@router.post("/admin/users/new")
def add_user(request: Request, session: DbSession, post: AdminPost) -> Response:
    values = {n: post.form.get(n, "") for n in ("email", "display_name", "role")}
    fields, errors = validate(UserFields, values)
    password = post.form.get("password", "")
    shown = GrantShown.typed(post.form)
    try:
        grant = grant_from(post.form)
        if fields is None:
            raise Refusal(_new_page(request, session, values, errors, shown, 422))
        user = create_user(session, fields, password=password, by=post.user, grant=grant)
    except (FieldProblem, PasswordProblem) as problem:
        field = problem.field if isinstance(problem, FieldProblem) else "password"
        raise Refusal(
            _new_page(request, session, values, {**errors, field: str(problem)}, shown, 422)
        ) from None
    return RedirectResponse(f"/admin/users/{user.id}?saved=1", status_code=303)


def _user_page(
    request: Request,
    session: DbSession,
    user: User,
    admin: User,
    *,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    grant: GrantShown | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "users/show.html",
        {
            "account": user,
            "grant": grant or GrantShown.of(user),
            "negotiations": ordered_negotiations(session),
            "is_self": user.id == admin.id,
            "errors": errors or {},
            "message": message,
            "roles": ROLE_CHOICES,
            "csrf_token": csrf_token(request),
            "history": history(session, "user", user.id),
            "current_version": user.version,
            "bring_back_base": None,
        },
        status_code=status_code,
    )


@router.get("/admin/users/{user_id:digits}", name="user")
def show_user(request: Request, session: DbSession, admin: Admin, user_id: RecordId) -> Response:
    return _user_page(request, session, _person(session, user_id), admin)


def _change(
    request: Request,
    session: DbSession,
    post: Post,
    user_id: int,
    change: Any,
    *,
    field: str,
    grant: GrantShown | None = None,
) -> Response:
    user = _person(session, user_id)
    version = form_version(request, post.form)
    try:
        change(user, version)
    except StaleVersion as stale:
        assert isinstance(stale.current, User)  # the account that changed meanwhile
        raise Refusal(
            _user_page(
                request,
                session,
                stale.current,
                post.user,
                message="Someone changed this account since you opened the page. Nothing was "
                "changed: check the account below and try again.",
                status_code=409,
            )
        ) from None
    except (FieldProblem, PasswordProblem) as problem:
        raise Refusal(
            _user_page(
                request,
                session,
                user,
                post.user,
                errors={field: str(problem)},
                grant=grant,
                status_code=422,
            )
        ) from None
    return RedirectResponse(f"/admin/users/{user_id}?saved=1", status_code=303)


@router.post("/admin/users/{user_id}/active", name="user_active")
def set_user_active(
    request: Request, session: DbSession, post: AdminPost, user_id: RecordId
) -> Response:
    active = post.form.get("active") == "1"

    def change(user: User, version: int) -> None:
        if user.id == post.user.id and not active:
            raise NotAllowed("active", "You cannot deactivate your own account.")
        set_active(session, user, active, form_version=version, by=post.user)

    return _change(request, session, post, user_id, change, field="active")


@router.post("/admin/users/{user_id}/password", name="user_password")
def reset_user_password(
    request: Request, session: DbSession, post: AdminPost, user_id: RecordId
) -> Response:
    def change(user: User, version: int) -> None:
        reset_password(
            session, user, post.form.get("new_password", ""), form_version=version, by=post.user
        )

    return _change(request, session, post, user_id, change, field="new_password")


@router.post("/admin/users/{user_id}/role", name="user_role")
def change_user_role(
    request: Request, session: DbSession, post: AdminPost, user_id: RecordId
) -> Response:
    def change(user: User, version: int) -> None:
        try:
            role = Role(post.form.get("role", ""))
        except ValueError:
            raise InvalidChoice("role", "Choose editor or admin.") from None
        if user.id == post.user.id and role is not Role.ADMIN:
            raise NotAllowed("role", "You cannot take away your own admin role.")
        change_role(session, user, role, form_version=version, by=post.user)

    return _change(request, session, post, user_id, change, field="role")


@router.post("/admin/users/{user_id}/second-factor", name="user_second_factor")
def reset_user_second_factor(
    request: Request, session: DbSession, post: AdminPost, user_id: RecordId
) -> Response:
    def change(user: User, version: int) -> None:
        # Your own is not reset here: it would log you out halfway (ask another admin).
        if user.id == post.user.id:
            raise NotAllowed("second_factor", "Another admin must reset your second factor.")
        if not user.second_factor:
            raise NotAllowed("second_factor", "This account has no second factor to reset.")
        reset_second_factor(session, user, form_version=version, by=post.user)

    return _change(request, session, post, user_id, change, field="second_factor")


@router.post("/admin/users/{user_id}/negotiations", name="user_negotiations")
def set_user_negotiations(
    request: Request, session: DbSession, post: AdminPost, user_id: RecordId
) -> Response:
    def change(user: User, version: int) -> None:
        set_negotiations(session, user, grant_from(post.form), form_version=version, by=post.user)

    return _change(
        request,
        session,
        post,
        user_id,
        change,
        field="negotiations",
        grant=GrantShown.typed(post.form),
    )
