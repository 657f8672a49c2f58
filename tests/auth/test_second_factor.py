"""The second factor: setting it up, logging in with a code or a recovery code, replays,
throttling, new recovery codes, an admin's reset, and the secret never shown again."""

from __future__ import annotations

import json

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.auth import throttle
from app.auth.second_factor import code_at, current_step, matching_step, recovery_hash
from app.models import LoginThrottle, RecoveryCode, Revision, Role, User
from app.users.service import change_role
from tests.editors import (
    counts,
    csrf_of,
    enter_code,
    enter_password,
    form_fields,
    fresh_code,
    totp_secret,
)
from tests.factories import ADMIN_TOTP_SECRET, PASSWORD, make_user
from tests.html import one, parse, words

SETUP = "/login/second-factor/setup"
CODE_PAGE = "/login/second-factor"


def secret_on_page(response: object) -> str:
    """The key as the setup page shows it for typing (grouped), as a person would read it."""
    return words(one(parse(response), "#secret")).replace(" ", "")


def wrong_code(secret: str) -> str:
    """Six digits that are not a code the app would take now."""
    right_now = {code_at(secret, current_step() + d) for d in (-2, -1, 0, 1, 2)}
    return next(c for c in ("123456", "654321", "111111", "000000") if c not in right_now)


def recovery_codes(session, user_id: int) -> list[RecoveryCode]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id)))


@pytest.fixture
def new_admin(session):  # type: ignore[no-untyped-def]
    """An admin without a second factor yet, as `parley users create --admin` makes one."""
    user = make_user(session, role=Role.ADMIN)
    session.commit()
    return user


# --- Setting it up ------------------------------------------------------------------------------


def test_an_admin_without_a_second_factor_must_set_one_up_before_anything(
    client, session, new_admin
) -> None:
    response = enter_password(client, new_admin)
    assert response.status_code == 303
    assert response.headers["location"] == SETUP
    # Half logged in: not logged in at all.
    for url in ["/admin/users", "/statements/new", "/account"]:
        page = client.get(url, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login"), url
    assert "Log in" in words(one(parse(client.get("/")), 'nav[aria-label="Main"]'))

    setup = client.get(SETUP)
    assert setup.status_code == 200
    page = parse(setup)
    qr = one(page, ".qr svg")
    assert qr["role"] == "img" and qr.get("aria-label")
    # Our CSP has no 'unsafe-inline' for styles: the SVG must not carry any.
    assert not page.select(".qr [style]") and "style" not in qr.attrs
    secret = secret_on_page(setup)
    assert len(secret) == 32
    # The page is stable across a reload (the QR code may already be scanned).
    assert secret_on_page(client.get(SETUP)) == secret
    assert new_admin.email in words(page.select_one("main"))


def test_setting_up_needs_a_valid_code_and_stores_nothing_without_one(
    client, session, new_admin
) -> None:
    enter_password(client, new_admin)
    secret = secret_on_page(client.get(SETUP))
    before = counts(session)

    wrong = enter_code(client, wrong_code(secret), SETUP)
    assert wrong.status_code == 401
    assert "not right" in words(one(parse(wrong), "[role=alert]"))
    malformed = enter_code(client, "12ab", SETUP)
    assert malformed.status_code == 422
    assert one(parse(malformed), "#code")["aria-invalid"] == "true"
    session.expire_all()
    assert session.get(User, new_admin.id).totp_secret is None
    assert recovery_codes(session, new_admin.id) == []
    assert counts(session) == before
    # Still not logged in.
    assert client.get("/admin/users", follow_redirects=False).status_code == 303

    done = enter_code(client, pyotp.TOTP(secret).now(), SETUP)
    assert done.status_code == 200
    page = parse(done)
    shown = [words(li) for li in page.select("#recovery-codes li")]
    assert len(shown) == 10 and len(set(shown)) == 10
    assert "Store these now" in words(one(page, "#store-codes"))
    stored = recovery_codes(session, new_admin.id)
    assert {c.code_hash for c in stored} == {
        recovery_hash(code, client.app.state.settings.secret_key) for code in shown
    }
    assert not any(code in c.code_hash for c in stored for code in shown)
    # Now logged in: admin pages work.
    assert client.get("/admin/users").status_code == 200
    user = session.get(User, new_admin.id)
    assert user.second_factor and user.totp_enabled_at is not None
    assert totp_secret(client, user.id) == secret
    revision = session.scalar(
        select(Revision)
        .where(Revision.entity_type == "user", Revision.entity_id == user.id)
        .order_by(Revision.version.desc())
        .limit(1)
    )
    assert revision.reason == "second factor turned on"
    assert revision.snapshot["second_factor"] is True


def test_a_code_that_set_up_the_factor_cannot_log_in_again(client, session, new_admin) -> None:
    enter_password(client, new_admin)
    secret = secret_on_page(client.get(SETUP))
    code = code_at(secret, current_step())
    assert enter_code(client, code, SETUP).status_code == 200
    other = TestClient(client.app)
    enter_password(other, new_admin)
    replay = enter_code(other, code)
    assert replay.status_code == 401
    assert "used already" in words(one(parse(replay), "[role=alert]"))


def test_an_editor_may_set_up_a_second_factor_from_the_account_page(editor_client, session, editor):
    account = parse(editor_client.get("/account"))
    assert words(one(account, "#second-factor")) == "off"
    setup = editor_client.get("/account/second-factor")
    secret = secret_on_page(setup)
    done = editor_client.post(
        "/account/second-factor",
        data={"csrf_token": csrf_of(setup), "code": pyotp.TOTP(secret).now()},
        follow_redirects=False,
    )
    assert done.status_code == 200
    assert len(parse(done).select("#recovery-codes li")) == 10
    assert words(one(parse(editor_client.get("/account")), "#second-factor")).startswith("on")
    # From now on the editor's password alone is not enough.
    other = TestClient(editor_client.app)
    assert enter_password(other, editor).headers["location"] == CODE_PAGE
    assert other.get("/statements/new", follow_redirects=False).status_code == 303


# --- Logging in with it -------------------------------------------------------------------------


def test_the_password_alone_only_half_logs_in(client, session, admin) -> None:
    response = enter_password(client, admin)
    assert response.headers["location"] == CODE_PAGE
    for url in ["/admin/users", f"/admin/users/{admin.id}", "/statements/new", "/account"]:
        page = client.get(url, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login"), url
    # A post to an admin page is refused as not logged in, and changes nothing.
    token = csrf_of(client.get(CODE_PAGE))
    before = counts(session)
    refused = client.post(
        f"/admin/users/{admin.id}/role",
        data={"csrf_token": token, "version": "1", "role": "editor"},
        follow_redirects=False,
    )
    assert refused.status_code == 401
    assert counts(session) == before


def test_the_right_code_logs_in_with_a_new_session(client, admin) -> None:
    response = enter_password(client, admin)
    half = client.cookies["parley_session"]
    half_token = csrf_of(client.get(CODE_PAGE))
    done = enter_code(client, fresh_code(client, admin.id))
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert client.cookies["parley_session"] != half
    assert csrf_of(client.get("/admin/users")) != half_token
    assert response.status_code == 303


def test_login_goes_on_to_where_it_was_going(client, admin) -> None:
    page = client.get("/login?next=/admin/users")
    client.post(
        "/login",
        data={
            **form_fields(page),
            "email": admin.email,
            "password": PASSWORD,
        },
    )
    done = enter_code(client, fresh_code(client, admin.id))
    assert done.headers["location"] == "/admin/users"


def test_a_wrong_code_is_refused_with_401_and_changes_nothing(client, session, admin) -> None:
    enter_password(client, admin)
    session.expire_all()
    last_step = session.get(User, admin.id).totp_last_step
    before = counts(session)
    response = enter_code(client, wrong_code(ADMIN_TOTP_SECRET))
    assert response.status_code == 401
    assert "not right" in words(one(parse(response), "[role=alert]"))
    assert one(parse(response), "#code").get("value") in (None, "")  # the code is not shown back
    session.expire_all()
    assert session.get(User, admin.id).totp_last_step == last_step
    assert counts(session) == before
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_a_code_is_good_only_once(client, admin) -> None:
    code = fresh_code(client, admin.id)
    enter_password(client, admin)
    assert enter_code(client, code).status_code == 303
    other = TestClient(client.app)
    enter_password(other, admin)
    replay = enter_code(other, code)
    assert replay.status_code == 401
    assert "used already" in words(one(parse(replay), "[role=alert]"))
    assert other.get("/admin/users", follow_redirects=False).status_code == 303


def test_codes_from_outside_the_window_are_refused() -> None:
    now = 1_800_000_000
    step = current_step(now)
    assert matching_step(ADMIN_TOTP_SECRET, code_at(ADMIN_TOTP_SECRET, step), now) == step
    assert matching_step(ADMIN_TOTP_SECRET, code_at(ADMIN_TOTP_SECRET, step - 1), now) == step - 1
    assert matching_step(ADMIN_TOTP_SECRET, code_at(ADMIN_TOTP_SECRET, step + 1), now) == step + 1
    old = code_at(ADMIN_TOTP_SECRET, step - 2)
    if old not in {code_at(ADMIN_TOTP_SECRET, step + d) for d in (-1, 0, 1)}:
        assert matching_step(ADMIN_TOTP_SECRET, old, now) is None
    # The same codes as any RFC 6238 app computes.
    assert code_at(ADMIN_TOTP_SECRET, step) == pyotp.TOTP(ADMIN_TOTP_SECRET).at(now)


def test_each_recovery_code_works_once_and_says_how_many_are_left(
    client, session, admin, accounts
) -> None:
    code = accounts.admin_recovery_codes[0]
    enter_password(client, admin)
    used = enter_code(client, code.upper().replace("-", " "))  # as typed off paper
    assert used.status_code == 200
    assert "9 recovery codes left" in words(one(parse(used), "#codes-left"))
    assert client.get("/admin/users").status_code == 200
    other = TestClient(client.app)
    enter_password(other, admin)
    again = enter_code(other, code)
    assert again.status_code == 401
    assert other.get("/admin/users", follow_redirects=False).status_code == 303
    assert words(one(parse(client.get("/account")), "#codes-left")) == "9 of 10 unused"


def test_wrong_codes_are_throttled_with_429(client, session, admin) -> None:
    enter_password(client, admin)
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert enter_code(client, "abcd-efgh-jkmn").status_code == 401
    locked = enter_code(client, fresh_code(client, admin.id))
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Too many wrong codes" in words(one(parse(locked), "[role=alert]"))
    assert client.get("/admin/users", follow_redirects=False).status_code == 303
    # A right password again does not start a fresh run of guesses.
    other = TestClient(client.app)
    enter_password(other, admin)
    assert enter_code(other, fresh_code(client, admin.id)).status_code == 429


def test_a_good_code_clears_the_count_of_wrong_ones(client, session, admin) -> None:
    enter_password(client, admin)
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert enter_code(client, wrong_code(ADMIN_TOTP_SECRET)).status_code == 401
    assert enter_code(client, fresh_code(client, admin.id)).status_code == 303
    session.expire_all()
    assert (
        session.scalar(select(func.count()).where(LoginThrottle.key == f"second-factor:{admin.id}"))
        == 0
    )


def test_a_half_login_expires(client, admin, monkeypatch) -> None:
    enter_password(client, admin)
    page = client.get(CODE_PAGE)
    monkeypatch.setattr("app.auth.sessions.PENDING_MAX_AGE", -1)
    response = client.post(
        CODE_PAGE,
        data={"csrf_token": csrf_of(page), "code": fresh_code(client, admin.id)},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "Log in again" in words(one(parse(response), "[role=alert]"))
    assert client.get(CODE_PAGE, follow_redirects=False).headers["location"] == "/login"


def test_the_code_page_without_a_password_first_sends_to_login(client) -> None:
    response = client.get(CODE_PAGE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get(SETUP, follow_redirects=False).headers["location"] == "/login"


# --- Recovery codes and resets ------------------------------------------------------------------


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(
    admin_client, session, admin, accounts
) -> None:
    page = admin_client.get("/account")
    assert words(one(parse(page), "#second-factor")).startswith("on")
    form = form_fields(page, "form[action='/account/recovery-codes']")
    before = counts(session)
    wrong = admin_client.post(
        "/account/recovery-codes", data={**form, "code": wrong_code(ADMIN_TOTP_SECRET)}
    )
    assert wrong.status_code == 401
    # A recovery code cannot buy new recovery codes.
    with_recovery = admin_client.post(
        "/account/recovery-codes", data={**form, "code": accounts.admin_recovery_codes[1]}
    )
    assert with_recovery.status_code == 422
    assert counts(session) == before
    assert len([c for c in recovery_codes(session, admin.id) if c.used_at is None]) == 10

    made = admin_client.post(
        "/account/recovery-codes", data={**form, "code": fresh_code(admin_client, admin.id)}
    )
    assert made.status_code == 200
    new_codes = [words(li) for li in parse(made).select("#recovery-codes li")]
    assert len(new_codes) == 10 and not set(new_codes) & set(accounts.admin_recovery_codes)

    other = TestClient(admin_client.app)
    enter_password(other, admin)
    assert enter_code(other, accounts.admin_recovery_codes[2]).status_code == 401
    assert enter_code(other, new_codes[0]).status_code == 200
    session.expire_all()
    assert (
        session.scalar(
            select(Revision.reason)
            .where(Revision.entity_type == "user", Revision.entity_id == admin.id)
            .order_by(Revision.version.desc())
            .limit(1)
        )
        == "recovery codes replaced"
    )


def test_an_admin_resets_another_accounts_second_factor(admin_client, session, admin) -> None:
    other_admin = make_user(session, role=Role.ADMIN)
    session.commit()
    theirs = TestClient(admin_client.app)
    enter_password(theirs, other_admin)
    secret = secret_on_page(theirs.get(SETUP))
    assert enter_code(theirs, pyotp.TOTP(secret).now(), SETUP).status_code == 200
    assert theirs.get("/admin/users").status_code == 200

    page_url = f"/admin/users/{other_admin.id}"
    assert words(one(parse(admin_client.get(page_url)), "#account-second-factor")).startswith("on")
    page = admin_client.get(page_url)
    reset = admin_client.post(
        f"{page_url}/second-factor",
        data=form_fields(page, "form[action$='/second-factor']"),
        follow_redirects=False,
    )
    assert reset.status_code == 303
    session.expire_all()
    user = session.get(User, other_admin.id)
    assert user.totp_secret is None and user.totp_last_step is None
    assert recovery_codes(session, user.id) == []
    # Their open session ended, and they must set up a new factor at their next login.
    assert (
        theirs.get("/admin/users", follow_redirects=False).headers["location"].startswith("/login")
    )
    assert enter_password(TestClient(admin_client.app), user).headers["location"] == SETUP
    revision = session.scalar(
        select(Revision)
        .where(Revision.entity_type == "user", Revision.entity_id == user.id)
        .order_by(Revision.version.desc())
        .limit(1)
    )
    assert revision.reason == "second factor reset" and revision.user_id == admin.id
    assert revision.snapshot["second_factor"] is False
    assert words(one(parse(admin_client.get(page_url)), "#account-second-factor")).startswith("off")


def test_there_is_no_reset_for_an_account_without_a_factor_or_for_oneself(
    admin_client, session, editor, admin
) -> None:
    page = admin_client.get(f"/admin/users/{editor.id}")
    assert not parse(page).select("form[action$='/second-factor']")
    assert not parse(admin_client.get(f"/admin/users/{admin.id}")).select(
        "form[action$='/second-factor']"
    )
    before = counts(session)
    for user in (editor, admin):
        page = admin_client.get(f"/admin/users/{user.id}")
        response = admin_client.post(
            f"/admin/users/{user.id}/second-factor",
            data=form_fields(page, "form[action$='/role']"),
            follow_redirects=False,
        )
        assert response.status_code == 422
        assert one(parse(response), "#second_factor-error")
    assert counts(session) == before


def test_an_admin_without_a_factor_in_an_open_session_is_sent_to_set_one_up(
    editor_client, session, editor, admin
) -> None:
    # Promoted while logged in (or logged in before second factors were required).
    change_role(session, editor, Role.ADMIN, form_version=editor.version, by=admin)
    session.commit()
    response = editor_client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/second-factor"
    assert editor_client.get("/statements/new", follow_redirects=False).status_code == 303
    token = csrf_of(editor_client.get("/account/second-factor"))
    before = counts(session)
    refused = editor_client.post(
        "/edit/parties/new",
        data={"csrf_token": token, "slug": "x", "name": "X", "short_name": "X", "kind": "state"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert counts(session) == before


# --- The secret stays secret --------------------------------------------------------------------


def test_the_secret_is_never_shown_after_set_up(admin_client, session, admin) -> None:
    grouped = " ".join(ADMIN_TOTP_SECRET[i : i + 4] for i in range(0, 32, 4))
    stored = session.get(User, admin.id).totp_secret
    assert stored and ADMIN_TOTP_SECRET not in stored  # encrypted at rest
    for url in [
        "/account",
        f"/admin/users/{admin.id}",
        "/admin/users",
        "/account/second-factor",
        "/openapi.json",
    ]:
        text = admin_client.get(url).text
        for secret in (ADMIN_TOTP_SECRET, grouped, stored):
            assert secret not in text, url
        assert "totp" not in text.lower(), url
    snapshots = session.scalars(
        select(Revision.snapshot).where(Revision.entity_type == "user")
    ).all()
    dumped = json.dumps(snapshots)
    assert ADMIN_TOTP_SECRET not in dumped and stored not in dumped and "totp" not in dumped
