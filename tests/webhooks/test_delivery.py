"""Webhooks end to end: the outbox is written with the revision, a real `parley worker` delivers
to a real local receiver with Standard Webhooks signatures, and kill -9 of the worker loses
nothing (the receiver sees one duplicate webhook-id, which it drops)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import make_sessionmaker
from app.models import WebhookDelivery, WebhookEvent
from app.settings import Settings
from app.stances import Stance
from app.webhooks.service import create_endpoint
from app.webhooks.worker import Tally, run_once
from tests.factories import make_demand, make_negotiation, make_party, make_statement
from tests.webhooks.receiver import receiver


def stances():
    return [Stance.REJECTS, Stance.REJECTS, Stance.OPEN, Stance.ACCEPTS, Stance.INSISTS]


def seed(engine, url: str, **filters) -> tuple[str, list[str]]:
    """An endpoint and five statements, committed: (the endpoint's secret, the events' ids)."""
    with Session(engine) as session:
        talks = make_negotiation(session)
        party = make_party(session)
        demand = make_demand(session, negotiation=talks)
        endpoint = create_endpoint(session, url, **filters)
        for n, stance in enumerate(stances()):
            make_statement(
                session,
                party=party,
                demand=demand,
                stance=stance,
                stated_on=dt.date(2025, 1 + n, 1),
            )
        session.commit()
        ids = list(session.scalars(select(WebhookEvent.message_id).order_by(WebhookEvent.id)))
        return endpoint.secret, ids


def test_each_statement_writes_one_event_with_its_revision(migrated_engine) -> None:
    _secret, ids = seed(migrated_engine, "https://hooks.example.org/in")
    assert len(ids) == 5 == len(set(ids))
    with Session(migrated_engine) as session:
        kinds = list(session.scalars(select(WebhookEvent.kind).order_by(WebhookEvent.id)))
        assert kinds == ["new", "restatement", "shift", "shift", "shift"]
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 5


def test_a_rolled_back_write_leaves_no_event(migrated_engine) -> None:
    with Session(migrated_engine) as session:
        create_endpoint(session, "https://hooks.example.org/in")
        session.commit()
        make_statement(session)
        session.rollback()
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_filters_choose_the_events(migrated_engine) -> None:
    _, ids = seed(migrated_engine, "https://hooks.example.org/in", kinds=["shift"])
    assert len(ids) == 3


def worker_env(engine, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PARLEY_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "PARLEY_WEBHOOK_ALLOW_LOOPBACK": "true",
        "PARLEY_WEBHOOK_TIMEOUT_S": "1",
        "PARLEY_WEBHOOK_FIRST_RETRY_S": "0.5",
        **extra,
    }


def wait_until(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def test_kill_9_of_the_worker_loses_nothing(migrated_engine, tmp_path) -> None:
    with receiver("", hold_first=True) as (url, got):
        secret, ids = seed(migrated_engine, url)
        got.secret = secret
        got.refuse_first = {ids[3]}
        log = (tmp_path / "worker.log").open("w")
        command = [sys.executable, "-m", "app.cli", "worker", "--poll", "0.1"]
        first = subprocess.Popen(command, env=worker_env(migrated_engine), stdout=log, stderr=log)
        try:
            assert got.holding.wait(30), "the worker never posted"
            first.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has the request
            first.wait(10)
        finally:
            got.release.set()
        second = subprocess.Popen(command, env=worker_env(migrated_engine), stdout=log, stderr=log)
        try:
            sessions = make_sessionmaker(migrated_engine)

            def all_delivered() -> bool:
                with sessions() as session:
                    return session.scalar(
                        select(func.count()).where(WebhookDelivery.state == "delivered")
                    ) == len(ids)

            wait_until(all_delivered)
        finally:
            second.terminate()
            second.wait(10)
        with sessions() as session:
            attempts = int(session.scalar(select(func.sum(WebhookDelivery.attempts))) or 0)
    assert got.bad_signatures == 0
    assert set(got.ids) == set(ids)  # nothing lost
    # Exactly the delivery the worker died in came twice, under the same webhook-id; a
    # receiver honouring the key processed it once. No other id came twice.
    assert got.duplicates == 1
    assert got.refuse_count == 1
    print(
        f"\nevents {len(ids)}, requests received {got.requests}, "
        f"retried after 503 {got.refuse_count}, delivered {len(got.ids)}, "
        f"duplicates seen by the receiver {got.duplicates}, attempts logged {attempts}"
    )


def test_failing_endpoint_is_switched_off_and_replayed(migrated_engine, settings) -> None:
    quick = Settings(
        database_url=migrated_engine.url.render_as_string(hide_password=False),
        webhook_allow_loopback=True,
        webhook_timeout_s=1,
        webhook_retry_hours=1e-9,
        webhook_disable_after=2,
    )
    sessions = make_sessionmaker(migrated_engine)
    with receiver("") as (url, got):
        secret, ids = seed(
            migrated_engine,
            url.replace("/hook", "/none").replace(f":{url.split(':')[2].split('/')[0]}", ":1"),
        )  # a port nobody listens on
        tally = Tally()
        run_once(sessions, quick, tally)
        assert tally.failed == 5 and tally.delivered == 0
        from app.models import WebhookEndpoint
        from app.webhooks.worker import enable, replay

        with sessions() as session:
            endpoint = session.scalars(select(WebhookEndpoint)).one()
            assert not endpoint.is_active and "switched off" in endpoint.disabled_reason
            endpoint.url = url
            enable(session, endpoint)
            assert replay(session, endpoint.id) == 5
            session.commit()
        got.secret = secret
        again = Tally()
        run_once(sessions, quick, again)
        assert again.delivered == 5
        assert set(got.ids) == set(ids) and got.duplicates == 0
