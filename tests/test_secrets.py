"""No published secret (issue 13, item 10): development makes its own and keeps it; the
development server will not face a network with it; production refuses guessable secrets; and
a cookie signed with the secret Parley once shipped in its source opens nothing."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from base64 import b64encode
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner
from pydantic import ValidationError

from app.cli import is_loopback
from app.settings import Settings, secret_key_problem
from tests.app_server import free_port

# The development default that was in app/settings.py until this change, visible in the history.
PUBLISHED = "development-only-secret-do-not-use-in-production"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_secret_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PARLEY_SECRET_KEY", "SECRET_KEY", "PARLEY_SECRET_KEY_FILE", "PARLEY_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)


def test_development_makes_a_secret_beside_the_sqlite_database_and_reuses_it(
    tmp_path: Path, no_secret_in_env: None
) -> None:
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    first = Settings(database_url=url)
    kept = tmp_path / "parley.db.secret-key"
    assert kept.read_text().strip() == first.secret_key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert first.secret_key != PUBLISHED and secret_key_problem(first.secret_key) is None
    assert first.secret_key_generated
    # The next start (another process, the same file) signs with the same secret.
    assert Settings(database_url=url).secret_key == first.secret_key
    # Another database, another secret.
    other = tmp_path / "other"
    other.mkdir()
    assert Settings(database_url=f"sqlite:///{other / 'p.db'}").secret_key != first.secret_key


def test_development_on_postgresql_keeps_its_secret_in_the_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_secret_in_env: None
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    made = Settings(database_url="postgresql://parley@db.example/parley")
    kept = tmp_path / "parley" / "secret-key"
    assert kept.read_text().strip() == made.secret_key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert Settings(database_url="postgresql://parley@db.example/parley").secret_key == (
        made.secret_key
    )


def test_a_given_secret_is_used_as_it_is(tmp_path: Path, no_secret_in_env: None) -> None:
    key = secrets.token_urlsafe(48)
    given = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", secret_key=key)
    assert given.secret_key == key and not given.secret_key_generated
    assert not (tmp_path / "p.db.secret-key").exists()


@pytest.mark.parametrize("environment", ["development", "production"])
def test_the_published_secret_is_refused_everywhere(environment: str) -> None:
    with pytest.raises(ValidationError, match="published"):
        Settings(environment=environment, secret_key=PUBLISHED)


@pytest.mark.parametrize(
    "weak",
    [
        "a" * 32,
        "a" * 200,
        "x" * 40,
        "ab" * 20,
        "abc" * 12,
        "0123456789" * 4,
        "changeme-changeme-changeme-changeme",
        "my-super-secret-key-for-production-use",
        "short",
        "",
    ],
)
def test_production_refuses_guessable_secrets_with_a_clear_message(weak: str) -> None:
    with pytest.raises(ValidationError, match="PARLEY_SECRET_KEY") as refused:
        Settings(environment="production", secret_key=weak)
    assert "secrets.token_urlsafe" in str(refused.value)


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(48), lambda: secrets.token_hex(16)])
def test_production_takes_generated_secrets(make) -> None:  # type: ignore[no-untyped-def]
    for _ in range(20):
        production = Settings(
            environment="production", secret_key=make(), base_url="https://parley.example.org"
        )
        assert production.environment == "production"


def _signed(secret: str, session: dict) -> str:  # type: ignore[type-arg]
    """A session cookie as Starlette's SessionMiddleware writes it."""
    data = b64encode(json.dumps(session).encode())
    return TimestampSigner(secret).sign(data).decode()


def test_a_cookie_signed_with_the_published_secret_opens_nothing(client, admin) -> None:
    forged = {"uid": admin.id, "sv": admin.session_version, "role": "admin", "csrf": "x"}
    client.cookies.set("parley_session", _signed(PUBLISHED, forged))
    for path in ("/admin/users", "/account", "/statements/new", "/edit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
    # The same cookie signed with the app's own secret is a session: the forgery is the key.
    client.cookies.set("parley_session", _signed(client.app.state.settings.secret_key, forged))
    assert client.get("/admin/users", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "parley.example"])
def test_hosts_beyond_this_machine(host: str) -> None:
    assert not is_loopback(host)


def test_the_development_server_refuses_a_public_host_without_a_secret(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PARLEY_SECRET_KEY", "SECRET_KEY", "PARLEY_ENVIRONMENT"}
    }
    env["PARLEY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'p.db'}"
    served = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,  # on failure: the server started, and serves until killed here
    )
    assert served.returncode == 2, served.stderr
    assert "PARLEY_SECRET_KEY" in served.stderr and "0.0.0.0" in served.stderr
