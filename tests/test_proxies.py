"""Forwarded headers are believed only from PARLEY_TRUSTED_PROXIES, on the real server.

Which address a request came from decides the per-address login throttle: were X-Forwarded-For
believed from anyone, a guesser would pick a fresh address for every try. Seen here through the
throttle's own rows, after a wrong password sent through `parley serve`.
"""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.app_server import app_server
from tests.editors import csrf_of

SPOOFED = "203.0.113.9"


def wrong_password_from(base: str, headers: dict[str, str]) -> int:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(urllib.request.Request(f"{base}/login", headers=headers)) as page:
        token = csrf_of(page.read().decode())
    form = urllib.parse.urlencode(
        {"csrf_token": token, "email": "nobody@example.org", "password": "wrong"}
    ).encode()
    request = urllib.request.Request(f"{base}/login", data=form, headers=headers)
    try:
        opener.open(request)
    except urllib.error.HTTPError as refused:
        return refused.code
    return 200


def client_keys(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {key for (key,) in db.execute("SELECT key FROM login_throttle") if "client:" in key}


@pytest.mark.parametrize(("trusted", "counted_as"), [(None, "127.0.0.1"), ("127.0.0.1", SPOOFED)])
def test_x_forwarded_for_moves_the_throttle_only_from_a_trusted_proxy(
    tmp_path: Path, trusted: str | None, counted_as: str
) -> None:
    database = tmp_path / "proxies.db"
    env = {"PARLEY_DATABASE_URL": f"sqlite:///{database}"}
    if trusted:
        env["PARLEY_TRUSTED_PROXIES"] = trusted
    with app_server(env, tmp_path / "server.log", "--demo") as base:
        headers = {"X-Forwarded-For": SPOOFED, "X-Forwarded-Proto": "https"}
        assert wrong_password_from(base, headers) == 401
        assert client_keys(database) == {f"client:{counted_as}"}
        # And the feed's links stay on the address served, whatever the headers claim.
        feed = urllib.request.Request(
            f"{base}/timeline.atom", headers={**headers, "X-Forwarded-Host": "evil.example"}
        )
        with urllib.request.urlopen(feed) as response:
            body = response.read().decode()
        links = re.findall(r'<link href="([^"]*)"', body)
        assert links and all(link.startswith(f"{base}/") for link in links), links
        assert "evil.example" not in body
