"""The link checker against a real local HTTP server (a threaded http.server in the test):
200, 404, a redirect loop, a slow server (timeout), and addresses it must refuse."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LinkOutcome, SourceLinkCheck
from app.settings import Settings
from app.sources.link_check import check_sources, check_url, check_urls
from tests.factories import make_source


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        seen.append((self.path, self.headers.get("Host")))
        if self.path == "/ok":
            self._answer(200)
        elif self.path == "/loop":
            self._answer(302, location="/loop")
        elif self.path == "/hop":
            self._answer(301, location="/ok")
        elif self.path == "/to-private":
            self._answer(302, location="http://10.0.0.1/secret")
        elif self.path == "/slow":
            time.sleep(2)
            self._answer(200)
        else:
            self._answer(404)

    def _answer(self, status: int, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


seen: list[tuple[str, str | None]] = []


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


LOOPBACK = Settings(
    environment="development",
    link_check_allow_loopback=True,
    link_check_timeout_s=0.5,
    link_check_max_redirects=3,
    link_check_concurrency=4,
)
PUBLIC_ONLY = Settings(environment="development", link_check_timeout_s=0.5)


def test_a_page_that_answers_is_ok(server: str) -> None:
    result = check_url(f"{server}/ok", LOOPBACK)
    assert (result.outcome, result.status_code) == (LinkOutcome.OK, 200)


def test_a_redirect_is_followed_and_the_host_header_is_the_name(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    seen.clear()
    result = check_url(f"http://localhost:{port}/hop", LOOPBACK)
    assert (result.outcome, result.status_code) == (LinkOutcome.OK, 200)
    assert seen == [("/hop", f"localhost:{port}"), ("/ok", f"localhost:{port}")]


def test_a_missing_page_is_broken(server: str) -> None:
    result = check_url(f"{server}/gone", LOOPBACK)
    assert (result.outcome, result.status_code) == (LinkOutcome.BROKEN, 404)


def test_a_redirect_loop_stops_at_the_limit(server: str) -> None:
    seen.clear()
    result = check_url(f"{server}/loop", LOOPBACK)
    assert result.outcome == LinkOutcome.BROKEN
    assert "redirects" in result.detail
    assert len(seen) == LOOPBACK.link_check_max_redirects + 1


def test_a_slow_server_times_out(server: str) -> None:
    result = check_url(f"{server}/slow", LOOPBACK)
    assert (result.outcome, result.detail) == (LinkOutcome.ERROR, "timed out")


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(server: str) -> None:
    result = check_url(f"{server}/to-private", LOOPBACK)
    assert result.outcome == LinkOutcome.REFUSED
    assert "10.0.0.1" in result.detail


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1.2.3:8080/x",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://100.64.0.1/",
        "http://localhost/",
        "http://0x7f000001/",
        "http://2130706433/",
    ],
)
def test_non_public_addresses_are_refused_without_the_setting(url: str, server: str) -> None:
    seen.clear()
    result = check_url(url, PUBLIC_ONLY)
    assert result.outcome == LinkOutcome.REFUSED, result
    assert seen == []


def test_the_local_server_itself_is_refused_without_the_setting(server: str) -> None:
    seen.clear()
    assert check_url(f"{server}/ok", PUBLIC_ONLY).outcome == LinkOutcome.REFUSED
    port = server.rsplit(":", 1)[1]
    assert check_url(f"http://localhost:{port}/ok", PUBLIC_ONLY).outcome == LinkOutcome.REFUSED
    assert seen == []


def test_the_loopback_setting_allows_loopback_only(server: str) -> None:
    for url in ["http://10.0.0.1/", "http://169.254.169.254/", "http://192.168.0.1/"]:
        assert check_url(url, LOOPBACK).outcome == LinkOutcome.REFUSED


def test_loopback_can_never_be_allowed_in_production() -> None:
    with pytest.raises(ValidationError, match="LINK_CHECK_ALLOW_LOOPBACK"):
        Settings(
            environment="production",
            link_check_allow_loopback=True,
            secret_key="x" * 64,
            base_url="https://parley.example.org",
        )


@pytest.mark.parametrize("url", ["ftp://example.org/", "http://user:pw@example.org/", "x"])
def test_odd_addresses_are_refused(url: str) -> None:
    assert check_url(url, PUBLIC_ONLY).outcome == LinkOutcome.REFUSED


def test_many_urls_are_checked_in_order_with_bounded_concurrency(server: str) -> None:
    urls = [f"{server}/ok", f"{server}/gone"] * 10
    outcomes = [result.outcome for result in check_urls(urls, LOOPBACK)]
    assert outcomes == [LinkOutcome.OK, LinkOutcome.BROKEN] * 10


def test_check_sources_records_each_source_without_a_revision(
    session: Session, server: str
) -> None:
    good = make_source(session, url=f"{server}/ok")
    gone = make_source(session, url=f"{server}/gone")
    versions = (good.version, gone.version)
    session.commit()
    counts = check_sources(session, LOOPBACK)
    assert counts[LinkOutcome.OK] >= 1 and counts[LinkOutcome.BROKEN] >= 1
    checks = {c.source_id: c for c in session.scalars(select(SourceLinkCheck))}
    assert checks[good.id].outcome == "ok" and checks[good.id].status_code == 200
    assert checks[gone.id].outcome == "broken" and checks[gone.id].status_code == 404
    assert checks[gone.id].checked_at is not None
    session.refresh(good)
    session.refresh(gone)
    assert (good.version, gone.version) == versions
    # Checked again: the one row per source is replaced, not added to.
    check_sources(session, LOOPBACK)
    assert len([c for c in session.scalars(select(SourceLinkCheck)) if c.source_id == good.id]) == 1


def test_parley_sources_check_from_the_shell(
    migrated_engine, server: str, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from app.cli import main

    url = migrated_engine.url.render_as_string(hide_password=False)
    with migrated_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source (url, title, publisher, kind, version, created_at,"
                " updated_at) VALUES (:url, 'T', 'P', 'news_report', 1, :now, :now)"
            ),
            {"url": f"{server}/gone", "now": "2025-06-02 12:00:00+00:00"},
        )
    settings = LOOPBACK.model_copy(update={"database_url": url})
    monkeypatch.setattr("app.cli.get_settings", lambda: settings)
    assert main(["sources", "check"]) == 0
    assert "1 broken" in capsys.readouterr().out
    with migrated_engine.connect() as connection:
        assert connection.execute(
            text("SELECT outcome, status_code FROM source_link_check")
        ).all() == [("broken", 404)]


def test_admins_check_every_link_from_the_sources_list(
    client, admin, editor, session: Session, server: str
) -> None:  # type: ignore[no-untyped-def]
    from tests.editors import csrf_of, log_in

    gone = make_source(session, url=f"{server}/gone-for-the-button")
    session.commit()
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"link_check_allow_loopback": True, "link_check_timeout_s": 0.5}
    )
    log_in(client, editor)
    page = client.get("/edit/sources")
    assert "Check every source link now" not in page.text
    refused = client.post(
        "/edit/sources/check-links", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert session.get(SourceLinkCheck, gone.id) is None
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    log_in(client, admin)
    page = client.get("/edit/sources")
    assert "Check every source link now" in page.text
    forged = client.post("/edit/sources/check-links", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    done = client.post("/edit/sources/check-links", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 200
    assert "source links" in done.text
    session.expire_all()
    assert session.get(SourceLinkCheck, gone.id).outcome == "broken"
