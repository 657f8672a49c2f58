"""Logging in and out: the cookie, its rotation and death, CSRF, throttling."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth import throttle
from app.main import create_app
from app.models import LoginThrottle, Party, User
from app.models.base import utcnow
from app.settings import Settings
from tests.editors import counts, csrf_of, form_fields, log_in, post_form
from tests.factories import PASSWORD
from tests.html import one, parse, words


def test_anonymous_reader_pages_set_no_cookie(client) -> None:
    for url in ["/", "/statements/1", "/no/such/page"]:
        response = client.get(url)
        assert "set-cookie" not in response.headers, url
        assert "private" not in response.headers.get("cache-control", ""), url


def test_the_session_cookie_is_signed_httponly_and_lax(client, editor) -> None:
    response = post_form(client, "/login", "/login", {"email": editor.email, "password": PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("parley_session=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # development serves plain http


def test_the_cookie_is_secure_in_production(settings, connection) -> None:
    from tests.conftest import joined_sessionmaker

    production = Settings(
        database_url=settings.database_url,
        environment="production",
        secret_key=secrets.token_urlsafe(48),
        base_url="https://parley.example.org",
    )
    app = create_app(production)
    app.state.sessionmaker = joined_sessionmaker(connection)
    with TestClient(app, base_url="https://testserver") as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie


def test_editor_pages_are_private_and_not_stored(editor_client) -> None:
    for url in ["/statements/new", "/statements/1/edit", "/edit/parties", "/"]:
        response = editor_client.get(url)
        assert response.headers["cache-control"] == "private, no-store", url


def test_login_rotates_the_session_and_its_csrf_token(client, editor) -> None:
    page = client.get("/login")
    before_token = csrf_of(page)
    before_cookie = client.cookies["parley_session"]
    log_in(client, editor)
    assert client.cookies["parley_session"] != before_cookie
    assert csrf_of(client.get("/statements/new")) != before_token


def test_a_wrong_password_is_refused_and_the_email_kept(client, session, editor) -> None:
    before = counts(session)
    response = post_form(
        client, "/login", "/login", {"email": editor.email, "password": "wrong password!"}
    )
    assert response.status_code == 401
    page = parse(response)
    assert "do not match" in words(one(page, "[role=alert]"))
    assert one(page, "#email")["value"] == editor.email
    assert "wrong password!" not in response.text
    assert counts(session) == before


def test_logout_kills_the_old_cookie_everywhere(client, editor) -> None:
    log_in(client, editor)
    stolen = client.cookies["parley_session"]
    page = client.get("/statements/new")
    logout = client.post("/logout", data=form_fields(page, "form.nav-form"), follow_redirects=False)
    assert logout.status_code == 303
    replay = TestClient(client.app, cookies={"parley_session": stolen})
    response = replay.get("/statements/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_deactivated_users_old_cookie_is_dead(client, session, editor, admin) -> None:
    log_in(client, editor)
    form = form_fields(client.get("/statements/new"))
    admin_client = TestClient(client.app)
    log_in(admin_client, admin)
    page = admin_client.get(f"/admin/users/{editor.id}")
    deactivated = admin_client.post(
        f"/admin/users/{editor.id}/active",
        data=form_fields(page, "form[action$='/active']"),
        follow_redirects=False,
    )
    assert deactivated.status_code == 303
    assert client.get("/statements/new", follow_redirects=False).status_code == 303
    before = counts(session)
    form.update(summary="Typed before the account was deactivated.", party="1", demand="1")
    refused = client.post("/statements/new", data=form, follow_redirects=False)
    assert refused.status_code == 401
    assert "Typed before the account was deactivated." in refused.text
    assert counts(session) == before
    # ...and the deactivated account cannot log in again.
    again = post_form(client, "/login", "/login", {"email": editor.email, "password": PASSWORD})
    assert again.status_code == 401


def test_a_post_without_a_csrf_token_is_refused_and_keeps_the_text(editor_client, session) -> None:
    form = form_fields(editor_client.get("/statements/new"))
    form.update(summary="My carefully typed summary.", party="1", demand="1", stance="1")
    before = counts(session)
    missing = editor_client.post(
        "/statements/new",
        data={k: v for k, v in form.items() if k != "csrf_token"},
        follow_redirects=False,
    )
    assert missing.status_code == 403
    page = parse(missing)
    assert "security token" in words(one(page, "[role=alert]"))
    assert "My carefully typed summary." in [t.text for t in page.select("textarea")]
    # Sending it again from the refusal page goes through.
    resend = editor_client.post(
        "/statements/new", data=form_fields(missing), follow_redirects=False
    )
    assert resend.status_code == 422  # the page kept every field; the source is still missing
    assert counts(session) == before


def test_a_token_from_another_session_is_refused(client, session, editor, admin) -> None:
    other = TestClient(client.app)
    log_in(other, admin)
    foreign = csrf_of(other.get("/statements/new"))
    log_in(client, editor)
    form = form_fields(client.get("/statements/new"))
    before = counts(session)
    response = client.post(
        "/statements/new", data={**form, "csrf_token": foreign}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "another session" in words(one(parse(response), "[role=alert]"))
    assert counts(session) == before


def test_a_cross_site_post_is_refused_without_a_resend_button(editor_client, session) -> None:
    form = form_fields(editor_client.get("/statements/new"))
    before = counts(session)
    response = editor_client.post(
        "/statements/new",
        data=form,
        headers={"Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert not parse(response).select("main button[type=submit]")
    assert counts(session) == before


def test_the_token_may_come_in_a_header(editor_client, session) -> None:
    token = csrf_of(editor_client.get("/statements/new"))
    before = counts(session)
    response = editor_client.post(
        "/edit/parties/new",
        data={
            "slug": "by-header",
            "name": "Header",
            "short_name": "H",
            "kind": "state",
            "colour": "#123456",
        },
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    party = session.scalar(select(Party).where(Party.slug == "by-header"))
    assert party is not None and party.name == "Header"
    after = counts(session)
    assert (after["Party"], after["Revision"]) == (before["Party"] + 1, before["Revision"] + 1)


def test_logout_without_a_token_is_refused(editor_client) -> None:
    response = editor_client.post("/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert "security token" in words(one(parse(response), "[role=alert]"))
    assert editor_client.get("/statements/new", follow_redirects=False).status_code == 200


def test_repeated_failures_lock_the_account_with_429(client, session, editor) -> None:
    for _ in range(throttle.ACCOUNT_LIMIT):
        failed = post_form(client, "/login", "/login", {"email": editor.email, "password": "no"})
        assert failed.status_code == 401
    locked = post_form(client, "/login", "/login", {"email": editor.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Too many failed attempts" in words(one(parse(locked), "[role=alert]"))
    row = session.scalar(
        select(LoginThrottle).where(LoginThrottle.key == f"account:{editor.email}")
    )
    assert row is not None and row.locked_until is not None


def test_a_good_login_clears_the_accounts_failures(client, session, editor) -> None:
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        post_form(client, "/login", "/login", {"email": editor.email, "password": "no"})
    log_in(client, editor)
    session.expire_all()
    assert session.get(LoginThrottle, f"account:{editor.email}") is None


def test_many_failures_from_one_client_lock_the_client(client, session) -> None:
    for n in range(throttle.CLIENT_LIMIT):
        post_form(client, "/login", "/login", {"email": f"nobody{n}@example.org", "password": "x"})
    response = post_form(
        client, "/login", "/login", {"email": "someone-new@example.org", "password": "x"}
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Too many failed attempts" in words(one(parse(response), "[role=alert]"))
    # The lock is on the client (TestClient's address), not on the new address it tried.
    session.expire_all()
    account_key, client_key = throttle.keys("someone-new@example.org", "testclient")
    row = session.get(LoginThrottle, client_key)
    assert row is not None and row.locked_until is not None
    # The attempt on the new address was counted, then given back when the client's lock refused it.
    account = session.get(LoginThrottle, account_key)
    assert account is None or (account.failures == 0 and account.locked_until is None)


def test_login_redirects_only_within_the_site(client, editor) -> None:
    page = client.get("/login?next=//evil.example/")
    response = client.post(
        "/login",
        data={**form_fields(page), "email": editor.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_editor_pages_send_visitors_to_log_in_and_back(client, editor) -> None:
    response = client.get("/statements/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/statements/new"
    page = client.get(response.headers["location"])
    done = client.post(
        "/login",
        data={**form_fields(page), "email": editor.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/statements/new"


def test_the_header_offers_log_in_or_the_editor_links(client, editor) -> None:
    nav = one(parse(client.get("/")), 'nav[aria-label="Main"]')
    assert "Log in" in words(nav) and "Add statement" not in words(nav)
    log_in(client, editor)
    nav = one(parse(client.get("/")), 'nav[aria-label="Main"]')
    assert "Add statement" in words(nav) and "Log out" in words(nav)
    assert "Admin" not in words(nav)


def test_a_login_stores_a_stronger_hash_when_the_costs_have_risen(client, session) -> None:
    from argon2 import PasswordHasher

    from app.auth.passwords import needs_rehash, verify_password
    from tests.factories import make_user

    user = make_user(session)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    session.commit()
    log_in(client, user)
    session.expire_all()
    stored = session.get(User, user.id).password_hash
    assert not needs_rehash(stored) and verify_password(stored, PASSWORD)


def test_each_login_sweeps_stale_throttle_rows_a_bounded_batch_at_a_time(client, session) -> None:
    long_ago = utcnow() - throttle.WINDOW - throttle.LOCK - dt.timedelta(minutes=1)
    stale = [f"client:10.9.{n // 250}.{n % 250}" for n in range(throttle.SWEEP_BATCH + 10)]
    session.add_all(LoginThrottle(key=k, failures=3, window_started_at=long_ago) for k in stale)
    # Still locked, though its window is old: kept.
    session.add(
        LoginThrottle(
            key="client:10.8.0.1",
            failures=throttle.CLIENT_LIMIT + 1,
            window_started_at=long_ago,
            locked_until=utcnow() + dt.timedelta(minutes=5),
        )
    )
    session.commit()
    post_form(client, "/login", "/login", {"email": "nobody@example.org", "password": "x"})
    session.expire_all()
    left = set(
        session.scalars(select(LoginThrottle.key).where(LoginThrottle.key.like("client:10.%")))
    )
    assert len(left) == 10 + 1 and "client:10.8.0.1" in left
