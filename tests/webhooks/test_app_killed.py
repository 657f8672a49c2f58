"""kill -9 of a real app server while editors save: every statement that was committed has its
event in the outbox and no event exists without its statement (one transaction), and a real
`parley worker` then delivers each one to a real receiver, once per webhook-id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import make_sessionmaker
from app.models import Role, Statement, WebhookDelivery, WebhookEvent
from app.users.service import UserFields, create_user, system_user
from app.webhooks.service import create_endpoint
from tests.app_server import free_port
from tests.editors import form_fields
from tests.factories import PASSWORD, make_demand, make_negotiation, make_party, make_statement
from tests.test_restart import Browser
from tests.webhooks.receiver import receiver
from tests.webhooks.test_delivery import wait_until, worker_env


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return process, base
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "no server"
            time.sleep(0.2)


def test_kill_9_of_the_app_mid_write_loses_no_event(migrated_engine, tmp_path) -> None:
    with receiver("") as (url, got):
        with Session(migrated_engine) as session:
            by = system_user(session)
            create_user(
                session,
                UserFields(email="ed@example.org", display_name="Ed", role=Role.EDITOR),
                password=PASSWORD,
                by=by,
            )
            make_negotiation(session, slug="russia-ukraine")
            party, demand = make_party(session), make_demand(session)
            make_statement(session, party=party, demand=demand)  # before the endpoint: no event
            got.secret = create_endpoint(session, url).secret
            session.commit()
            party_id, demand_id = party.id, demand.id
        database = migrated_engine.url.render_as_string(hide_password=False)
        env = {"PARLEY_DATABASE_URL": database, "PARLEY_ENVIRONMENT": "development"}
        process, base = start_server(env, tmp_path / "server.log")
        browser = Browser(base)
        browser.log_in("ed@example.org")
        answered: list[int] = []
        stop = threading.Event()

        def add() -> None:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    form = browser.request("/statements/new")
                    data = {
                        **form_fields(form.body),
                        "party": str(party_id),
                        "demand": str(demand_id),
                        "stance": str((i % 5) - 2),
                        "stated_on": f"2025-0{1 + i % 9}-01",
                        "summary": f"Save {i}, while the server is killed.",
                        "source_url": f"https://news.example.org/kill/{i}",
                        "source_title": f"Kill story {i}",
                        "source_publisher": "Example News",
                    }
                    answered.append(browser.request("/statements/new", data).status)
                except OSError:
                    return

        thread = threading.Thread(target=add)
        thread.start()
        wait_until(lambda: answered.count(303) >= 5)
        process.send_signal(signal.SIGKILL)  # in the middle of the next save
        process.wait(10)
        stop.set()
        thread.join(30)

        sessions = make_sessionmaker(migrated_engine)
        with sessions() as session:
            statements = session.scalar(select(func.count()).select_from(Statement))
            events = session.scalar(select(func.count()).select_from(WebhookEvent))
            # Every statement saved after the endpoint has exactly one event: none lost, none
            # without its statement.
            assert events == statements - 1
            assert events >= answered.count(303)
        worker = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--poll", "0.1"],
            env=worker_env(migrated_engine),
            stdout=(tmp_path / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        try:

            def delivered() -> bool:
                with sessions() as session:
                    return (
                        session.scalar(
                            select(func.count()).where(WebhookDelivery.state == "delivered")
                        )
                        == events
                    )

            wait_until(delivered)
        finally:
            worker.terminate()
            worker.wait(10)
        assert len(got.ids) == events and got.duplicates == 0 and got.bad_signatures == 0
        print(
            f"\nsaves answered 303: {answered.count(303)}, events {events}, "
            f"delivered {len(got.ids)}"
        )
