"""Accounts under attack: weak passwords, probing for emails, brute force spread over servers."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from app.auth import throttle
from app.auth.passwords import password_problem
from app.db import make_engine
from app.migrate import upgrade
from app.models import Role
from app.settings import Settings
from app.users.service import PasswordProblem, UserFields, create_user, system_user
from tests.app_server import app_server
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.editors import form_fields
from tests.factories import PASSWORD
from tests.html import one, parse, words


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("short", "ed@example.org"),
        ("ed-the-editor@example.org", "ed-the-editor@example.org"),
        ("ED-the-Editor@example.org ", "ed-the-editor@example.org"),
        ("ed-the-editor", "ed-the-editor@example.org"),
        ("password1234", "ed@example.org"),
        ("Qwerty123456", "ed@example.org"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, email: str) -> None:
    assert password_problem(password, email)


def test_a_long_uncommon_password_is_accepted() -> None:
    assert password_problem("seven wandering tortoises", "ed@example.org") is None


def test_an_account_cannot_be_made_with_its_own_email_as_password(session: Session) -> None:
    with pytest.raises(PasswordProblem, match="email"):
        create_user(
            session,
            UserFields(email="long-name-editor@example.org", display_name="L", role=Role.EDITOR),
            password="long-name-editor@example.org",
            by=system_user(session),
        )


def test_unknown_email_and_wrong_password_get_the_same_answer_and_the_same_work(
    client, editor, monkeypatch
) -> None:
    """An unknown email must cost what a wrong password costs, or response times tell which
    accounts exist. Timing it would flake on a busy machine; instead, watch argon2 (still doing
    the real work) and check that both answers verify one hash of the same cost."""
    verified: list[str] = []
    real_verify = PasswordHasher.verify

    def watched_verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        verified.append(hash.decode() if isinstance(hash, bytes) else hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", watched_verify)

    def attempt(email: str) -> tuple[int, str, list[str]]:
        data = {**form_fields(client.get("/login")), "email": email, "password": "not it"}
        verified.clear()
        response = client.post("/login", data=data, follow_redirects=False)
        return response.status_code, words(one(parse(response), "[role=alert]")), list(verified)

    known_status, known_message, known_hashes = attempt(editor.email)
    unknown_status, unknown_message, unknown_hashes = attempt("nobody-here@example.org")
    assert known_status == unknown_status == 401
    assert known_message == unknown_message
    assert known_hashes == [editor.password_hash]
    assert len(unknown_hashes) == 1 and unknown_hashes != known_hashes

    def cost(argon2_hash: str) -> str:
        # "$argon2id$v=19$m=65536,t=3,p=4$salt$digest": the variant, memory, time, lanes.
        return argon2_hash.rsplit("$", 2)[0]

    assert cost(unknown_hashes[0]) == cost(known_hashes[0])


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[list[str]]:
    """Two app processes (as behind a load balancer) sharing one PostgreSQL database."""
    url = create_postgres_database()
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    with Session(engine) as session, session.begin():
        create_user(
            session,
            UserFields(email="ed@example.org", display_name="Ed", role=Role.EDITOR),
            password=PASSWORD,
            by=system_user(session),
        )
    engine.dispose()
    env = {"PARLEY_DATABASE_URL": url, "PARLEY_ENVIRONMENT": "development"}
    try:
        with (
            app_server(env, tmp_path / "first.log") as first,
            app_server(env, tmp_path / "second.log") as second,
        ):
            yield [first, second]
    finally:
        drop_postgres_database(url)


def _login(base: str, password: str) -> int:
    """A fresh browser (own cookie jar) posting the login form to one server."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    body = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": "ed@example.org", "password": password}
    ).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener.add_handler(NoRedirect())
    try:
        return int(opener.open(f"{base}/login", data=body, timeout=10).status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_brute_force_is_throttled_across_two_app_servers(two_servers: list[str]) -> None:
    first, second = two_servers
    # Failures alternate between the servers: neither sees the limit alone, the database does.
    statuses = [
        _login(two_servers[n % 2], "a wrong guess of a password")
        for n in range(throttle.ACCOUNT_LIMIT)
    ]
    assert statuses == [401] * throttle.ACCOUNT_LIMIT
    # Locked on both, even with the right password.
    assert _login(first, PASSWORD) == 429
    assert _login(second, PASSWORD) == 429
