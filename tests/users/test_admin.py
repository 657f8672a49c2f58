"""Admin pages for accounts, the `parley users create` command and the demo accounts."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.cli import create_user_from_shell
from app.models import Revision, User
from app.users.service import DEMO_PASSWORD, create_demo_accounts, user_by_email
from tests.editors import counts, form_fields, log_in, post_form
from tests.factories import PASSWORD, make_user
from tests.html import one, parse, words

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/1"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_non_admins_get_403_on_admin_pages(editor_client, url: str) -> None:
    response = editor_client.get(url)
    assert response.status_code == 403
    assert "Only admins" in words(one(parse(response), "[role=alert]"))


@pytest.mark.parametrize(
    "url", ["/admin/users/new", "/admin/users/1/active", "/admin/users/1/role"]
)
def test_non_admins_cannot_post_to_admin_pages(editor_client, session, url: str) -> None:
    token = form_fields(editor_client.get("/statements/new"))["csrf_token"]
    before = counts(session)
    response = editor_client.post(
        url,
        data={
            "csrf_token": token,
            "version": "1",
            "role": "admin",
            "active": "0",
            "email": "x@example.org",
            "display_name": "X",
            "password": "p" * 20,
        },
    )
    assert response.status_code == 403
    assert counts(session) == before


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users"
    assert "ad@example.org" not in response.text


def test_an_admin_creates_an_account_that_can_log_in(admin_client, session) -> None:
    response = post_form(
        admin_client,
        "/admin/users/new",
        "/admin/users/new",
        {"email": "New@Example.org", "display_name": "New Editor", "password": PASSWORD},
    )
    assert response.status_code == 303
    user = user_by_email(session, "new@example.org")
    assert user is not None and user.role == "editor"
    listing = parse(admin_client.get("/admin/users"))
    assert one(listing, "tr[data-email='new@example.org']")
    from fastapi.testclient import TestClient

    log_in(TestClient(admin_client.app), user)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "ed@example.org"}, "email"),
        ({"password": "short"}, "password"),
        ({"role": "system"}, "role"),
        ({"display_name": "<script>x</script>\x00"}, "display_name"),
    ],
)
def test_bad_account_input_changes_nothing(admin_client, session, changes, field) -> None:
    values = {"email": "fine@example.org", "display_name": "Fine", "password": PASSWORD}
    values.update(changes)
    before = counts(session)
    response = post_form(admin_client, "/admin/users/new", "/admin/users/new", values)
    assert response.status_code == 422
    assert one(parse(response), f"#{field}-error")
    assert counts(session) == before


def test_deactivate_reactivate_reset_password_and_change_role(admin_client, session) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(admin_client.app)
    user = make_user(session)
    session.commit()
    page_url = f"/admin/users/{user.id}"

    def act(selector: str, **changes: str):  # type: ignore[no-untyped-def]
        page = admin_client.get(page_url)
        data = {**form_fields(page, selector), **changes}
        action = one(parse(page), selector)["action"]
        return admin_client.post(action, data=data, follow_redirects=False)

    assert act("form[action$='/active']").status_code == 303
    assert words(one(parse(admin_client.get(page_url)), "#account-status")) == "deactivated"
    assert act("form[action$='/active']").status_code == 303
    assert words(one(parse(admin_client.get(page_url)), "#account-status")) == "active"

    log_in(client, user)
    assert act("form[action$='/password']", new_password="another long password").status_code == 303
    # The reset ended the session opened with the old password; the new one works.
    assert client.get("/statements/new", follow_redirects=False).status_code == 303
    log_in(client, user, "another long password")

    assert act("form[action$='/role']", role="admin").status_code == 303
    session.expire_all()
    assert session.get(User, user.id).role == "admin"
    reasons = session.scalars(
        select(Revision.reason)
        .where(Revision.entity_type == "user", Revision.entity_id == user.id)
        .order_by(Revision.version)
    ).all()
    assert reasons == [
        None,
        "deactivated",
        "reactivated",
        "password reset",
        "role changed to admin",
    ]
    history = parse(admin_client.get(page_url))
    assert len(history.select("#history .revision")) == 5
    assert "password_hash" not in history.text


def test_an_admin_cannot_lock_themselves_out(admin_client, session, admin) -> None:
    page = admin_client.get(f"/admin/users/{admin.id}")
    before = counts(session)
    response = admin_client.post(
        f"/admin/users/{admin.id}/role",
        data={**form_fields(page, "form[action$='/role']"), "role": "editor"},
    )
    assert response.status_code == 422
    assert counts(session) == before


def test_users_create_makes_the_first_admin_from_the_shell(settings, monkeypatch, capsys) -> None:
    import argparse

    from app.settings import get_settings

    email = "first-admin@example.org"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    monkeypatch.setattr("app.cli.get_settings", lambda: settings)
    args = argparse.Namespace(email=email, admin=True, name=None, password_stdin=True)
    try:
        assert create_user_from_shell(args) == 0
        assert "created admin account" in capsys.readouterr().out
        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
        assert create_user_from_shell(args) == 1  # already exists
    finally:
        from sqlalchemy import delete

        from app.db import make_engine

        engine = make_engine(settings)
        with engine.begin() as connection:
            user_id = connection.scalar(select(User.id).where(User.email == email))
            connection.execute(
                delete(Revision).where(
                    Revision.entity_type == "user", Revision.entity_id == user_id
                )
            )
            connection.execute(delete(User).where(User.email == email))
        engine.dispose()
    assert get_settings is not None


def test_demo_accounts_are_created_once(session) -> None:
    assert sorted(create_demo_accounts(session)) == ["admin@example.org", "editor@example.org"]
    assert create_demo_accounts(session) == []
    from app.auth.passwords import verify_password

    admin = user_by_email(session, "admin@example.org")
    assert admin.role == "admin" and verify_password(admin.password_hash, DEMO_PASSWORD)


def test_admin_pages_query_counts(admin_client, editor, queries) -> None:
    queries.clear()
    assert admin_client.get("/admin/users").status_code == 200
    # the admin, the accounts, the negotiations each edits (one query for all of them); the
    # header's review count (issue 19)
    assert queries.count == 4
    queries.clear()
    assert admin_client.get(f"/admin/users/{editor.id}").status_code == 200
    # the admin, the account, the negotiations it edits, all negotiations (the form's ticks),
    # its revisions with their authors; the header's review count
    assert queries.count == 6


def test_users_reset_second_factor_from_the_shell(settings, monkeypatch, capsys) -> None:
    """The way back in when the only admin lost both phone and recovery codes."""
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from app.cli import main
    from app.db import make_engine
    from app.models import RecoveryCode, Role
    from app.users.service import UserFields, create_user, system_user, turn_on_second_factor

    email = "lost-phone-admin@example.org"
    monkeypatch.setattr("app.cli.get_settings", lambda: settings)
    engine = make_engine(settings)
    try:
        with Session(engine) as session, session.begin():
            user = create_user(
                session,
                UserFields(email=email, display_name="Lost", role=Role.ADMIN),
                password=PASSWORD,
                by=system_user(session),
            )
            turn_on_second_factor(session, user, "JBSWY3DPEHPK3PXP", secret_key=settings.secret_key)
        assert main(["users", "reset-second-factor", email]) == 0
        assert "reset the second factor" in capsys.readouterr().out
        with Session(engine) as session:
            user = user_by_email(session, email)
            assert user is not None and not user.second_factor
            assert (
                session.scalar(
                    select(Revision.reason)
                    .where(Revision.entity_type == "user", Revision.entity_id == user.id)
                    .order_by(Revision.version.desc())
                    .limit(1)
                )
                == "second factor reset"
            )
        assert main(["users", "reset-second-factor", email]) == 1
    finally:
        with engine.begin() as connection:
            user_id = connection.scalar(select(User.id).where(User.email == email))
            connection.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
            connection.execute(
                delete(Revision).where(
                    Revision.entity_type == "user", Revision.entity_id == user_id
                )
            )
            connection.execute(delete(User).where(User.email == email))
        engine.dispose()
