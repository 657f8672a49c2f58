"""Your own account: whether a second factor is on, setting one up, new recovery codes.

Setting up is the same page whether you are logged in (editors may, admins must) or half logged
in after the password (an admin's first login): `setup_page` and `refusal` serve both.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth import second_factor
from app.auth.guards import CsrfForm, CurrentUser, LoginRequired, needs_second_factor
from app.auth.second_factor import Outcome, Verdict
from app.auth.sessions import TOTP_CANDIDATE, csrf_token
from app.auth.throttle import client_address
from app.conflicts import form_version
from app.db import DbSession
from app.exceptions import Refusal
from app.links import app_path
from app.models import User
from app.pages import render
from app.revisions import StaleVersion
from app.users.service import (
    replace_recovery_codes,
    turn_on_second_factor,
)

router = APIRouter()

CODE_HELP = "Type the 6-digit code your authenticator app shows now."
REFUSALS = {
    Verdict.WRONG: "That code is not right. Type the code your authenticator app shows now (if "
    "codes keep failing, check that your phone sets its clock automatically).",
    Verdict.REPLAYED: "That code has been used already. Wait for the next code in your app and "
    "type that one.",
    Verdict.UNREADABLE: "This server can no longer read your second factor (its secret key has "
    "changed). Use a recovery code, or ask an admin to reset your second factor.",
    Verdict.MALFORMED: f"A code is 6 digits. {CODE_HELP}",
}
STATUS = {Verdict.LOCKED: 429, Verdict.MALFORMED: 422}


def refusal(outcome: Outcome, *, recovery: bool = False) -> tuple[str, int, dict[str, str]]:
    """What a refused code's page says, its status and headers."""
    if outcome.verdict is Verdict.LOCKED:
        seconds = outcome.retry_after_seconds or 60
        minutes = (seconds + 59) // 60
        message = (
            "Too many wrong codes. For your account's safety, codes are not checked for "
            f"{minutes} minute{'s' if minutes != 1 else ''}: try again then."
        )
        return message, 429, {"Retry-After": str(seconds)}
    message = REFUSALS[outcome.verdict]
    if recovery and outcome.verdict is Verdict.MALFORMED:
        message = (
            "Type the 6-digit code your authenticator app shows now, or one of your recovery "
            "codes (12 letters and digits, such as abcd-efgh-jkmn)."
        )
    if recovery and outcome.verdict is Verdict.REPLAYED:
        message = "That code has been used already. Type a new code from your app, or a " + (
            "recovery code you have not used."
        )
    return message, STATUS.get(outcome.verdict, 401), {}


def secret_key(request: Request) -> str:
    return str(request.app.state.settings.secret_key)


def candidate_secret(request: Request) -> str:
    """The secret being set up: the same one across reloads of the page, until confirmed.

    Kept in the session sealed (encrypted), so the cookie never carries it readable.
    """
    sealed = request.session.get(TOTP_CANDIDATE)
    secret = second_factor.unseal(sealed, secret_key(request)) if isinstance(sealed, str) else None
    if secret is None:
        secret = second_factor.new_secret()
        request.session[TOTP_CANDIDATE] = second_factor.seal(secret, secret_key(request))
    return secret


def setup_page(
    request: Request,
    user: User,
    *,
    action: str,
    during_login: bool,
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    secret = candidate_secret(request)
    issuer = request.app.state.settings.site_name
    uri = second_factor.provisioning_uri(secret, user.email, issuer)
    return render(
        request,
        "account/setup.html",
        {
            "account": user,
            "action": action,
            "during_login": during_login,
            "required": user.must_have_second_factor,
            "qr": second_factor.qr_svg(uri, f"QR code to add {issuer} to your authenticator app"),
            "secret": second_factor.grouped(secret),
            "error": error,
            "code_help": CODE_HELP,
            "csrf_token": csrf_token(request),
        },
        status_code=status_code,
        headers=headers,
    )


def confirm_setup(
    request: Request,
    session: Session,
    user: User,
    form: dict[str, str],
    *,
    during_login: bool,
) -> Response | tuple[User, list[str]]:
    """Turn the second factor on if the code matches the secret shown; else the page again.

    A refusal is returned, not raised: the wrong code's count must be committed with it.
    """
    outcome = second_factor.attempt(
        session,
        user,
        form.get("code", ""),
        secret_key=secret_key(request),
        client=client_address(request),
        candidate=candidate_secret(request),
    )
    if not outcome.accepted:
        message, status, headers = refusal(outcome)
        return setup_page(
            request,
            user,
            action=request.url.path,
            during_login=during_login,
            error=message,
            status_code=status,
            headers=headers,
        )
    return turn_on_second_factor(
        session, user, candidate_secret(request), secret_key=secret_key(request)
    )


def recovery_codes_page(
    request: Request, codes: list[str], *, next_path: str, first_time: bool
) -> Response:
    return render(
        request,
        "account/recovery_codes.html",
        {"codes": codes, "next": next_path, "first_time": first_time},
    )


def _logged_in(request: Request, user: User | None) -> User:
    if user is None:
        raise LoginRequired(request.url.path)
    return user


def _account_page(
    request: Request,
    session: Session,
    account: User,
    *,
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "account/show.html",
        {
            "account": account,
            "codes_left": (
                second_factor.recovery_codes_left(session, account)
                if account.second_factor
                else None
            ),
            "required": account.must_have_second_factor,
            "error": error,
            "code_help": CODE_HELP,
            "csrf_token": csrf_token(request),
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("/account", name="account")
def show_account(request: Request, session: DbSession, user: CurrentUser) -> Response:
    account = _logged_in(request, user)
    if needs_second_factor(account):
        return RedirectResponse(app_path(request.app, "account_second_factor"), 303)
    return _account_page(request, session, account)


@router.get("/account/second-factor", name="account_second_factor")
def second_factor_form(request: Request, user: CurrentUser) -> Response:
    account = _logged_in(request, user)
    if account.second_factor:
        return RedirectResponse(app_path(request.app, "account"), 303)
    return setup_page(request, account, action=request.url.path, during_login=False)


@router.post("/account/second-factor")
def set_up_second_factor(
    request: Request, session: DbSession, form: CsrfForm, user: CurrentUser
) -> Response:
    account = _logged_in(request, user)
    if account.second_factor:
        return RedirectResponse(app_path(request.app, "account"), 303)
    confirmed = confirm_setup(request, session, account, form, during_login=False)
    if isinstance(confirmed, Response):
        return confirmed
    request.session.pop(TOTP_CANDIDATE, None)
    return recovery_codes_page(request, confirmed[1], next_path="/account", first_time=True)


@router.post("/account/recovery-codes", name="account_recovery_codes")
def new_recovery_codes(
    request: Request, session: DbSession, form: CsrfForm, user: CurrentUser
) -> Response:
    """New codes need a current code from the app: a session left open must not be enough."""
    account = _logged_in(request, user)
    if not account.second_factor:
        return RedirectResponse(app_path(request.app, "account_second_factor"), 303)
    version = form_version(request, form)
    outcome = second_factor.attempt(
        session,
        account,
        form.get("code", ""),
        secret_key=secret_key(request),
        client=client_address(request),
        recovery_codes=False,
    )
    if not outcome.accepted:
        message, status, headers = refusal(outcome)
        return _account_page(
            request, session, account, error=message, status_code=status, headers=headers
        )
    try:
        _, codes = replace_recovery_codes(
            session, account, form_version=version, secret_key=secret_key(request)
        )
    except StaleVersion:
        raise Refusal(
            _account_page(
                request,
                session,
                account,
                error="Your account changed since you opened this page. Nothing was changed: "
                "try again.",
                status_code=409,
            )
        ) from None
    return recovery_codes_page(request, codes, next_path="/account", first_time=False)
