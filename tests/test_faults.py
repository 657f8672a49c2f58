"""The database failing under the app: killed connections, slow queries, a full pool.

PostgreSQL only (SQLite has no server to lose). Each test gets its own database and an app on
its own engine, not the rolled-back test transaction: connections must really die and commit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.migrate import upgrade
from app.models import Role
from app.settings import Settings
from app.users.service import UserFields, create_user, system_user
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    create_postgres_database,
    drop_postgres_database,
)
from tests.editors import counts, form_fields, log_in
from tests.factories import PASSWORD, make_demand, make_participation, make_party
from tests.html import parse


@dataclass
class Outage:
    url: str
    settings: Settings
    user: Any
    party_id: int
    demand_id: int


@pytest.fixture
def outage() -> Iterator[Outage]:
    url = create_postgres_database()
    settings = Settings(database_url=url, environment="development", data_version_ttl=0)
    engine = make_engine(settings)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        by = system_user(session)
        user = create_user(
            session,
            UserFields(email="ed@example.org", display_name="Ed", role=Role.EDITOR),
            password=PASSWORD,
            by=by,
        )
        party = make_party(session)
        make_participation(session, party=party)
        party_id, demand_id = party.id, make_demand(session).id
        session.expunge(user)
    engine.dispose()
    yield Outage(url, settings, user, party_id, demand_id)
    drop_postgres_database(url)


def kill(pid: int) -> None:
    """Terminate one server process and wait (up to 5 s) until it is gone."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()


def kill_all(database_url: str) -> int:
    name = database_url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar_one()
    admin.dispose()
    return int(killed)


def kill_when(engine: Engine, starts_with: str, containing: str = "") -> list[str]:
    """Kill the connection running the first statement that starts with `starts_with`."""
    killed: list[str] = []

    def before(conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        sql = statement.lstrip().upper()
        if not killed and sql.startswith(starts_with) and containing in sql:
            killed.append(statement)
            kill(conn.connection.dbapi_connection.info.backend_pid)

    event.listen(engine, "before_cursor_execute", before)
    return killed


def test_a_statement_timeout_bounds_every_query(outage: Outage) -> None:
    engine = make_engine(outage.settings.model_copy(update={"statement_timeout_ms": 300}))
    started = time.perf_counter()
    with engine.connect() as connection, pytest.raises(OperationalError, match="statement timeout"):
        connection.execute(text("SELECT pg_sleep(10)"))
    assert time.perf_counter() - started < 3
    engine.dispose()


def test_connections_killed_between_requests_are_replaced_without_an_error(
    outage: Outage,
) -> None:
    with TestClient(create_app(outage.settings)) as client:
        assert client.get("/parties").status_code == 200
        assert kill_all(outage.url) >= 1
        # pool_pre_ping finds the dead connection and opens a new one: the reader sees nothing.
        assert client.get("/parties").status_code == 200


def test_a_connection_killed_in_the_middle_of_a_read_is_a_503_then_the_app_recovers(
    outage: Outage,
) -> None:
    app = create_app(outage.settings)
    with TestClient(app) as client:
        client.get("/demands")  # a pooled connection (and not /parties: its page would be cached)
        # The page's own query, not the data version read before it.
        killed = kill_when(app.state.engine, "SELECT", "FROM PARTY")
        response = client.get("/parties")
        assert killed
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "try again" in parse(response.text).select_one("[role=alert]").get_text()
        assert client.get("/parties").status_code == 200


def test_a_save_cut_off_by_a_killed_connection_keeps_nothing_and_shows_the_text_again(
    outage: Outage,
) -> None:
    app = create_app(outage.settings)
    with TestClient(app) as client:
        log_in(client, outage.user)
        fields = {
            **form_fields(client.get("/statements/new")),
            "party": str(outage.party_id),
            "demand": str(outage.demand_id),
            "stance": "1",
            "stated_on": "2025-03-04",
            "summary": "Typed just before the outage.",
            "source_url": "https://news.example.org/outage",
            "source_title": "Outage story",
            "source_publisher": "Example News",
        }
        check = make_sessionmaker(app.state.engine)
        with check() as session:
            before = counts(session)
        # The statement and its source are written; the revision insert finds the line dead.
        killed = kill_when(app.state.engine, "INSERT INTO REVISION")
        response = client.post("/statements/new", data=fields, follow_redirects=False)
        assert killed
        assert response.status_code == 503, response.text[:300]
        assert response.headers["retry-after"] == "5"
        typed = [t.get_text() for t in parse(response.text).select("form textarea")]
        assert "Typed just before the outage." in typed
        with check() as session:
            assert counts(session) == before, "a half-done save was kept"

        # Send again from the 503 page, as the editor would once the database answers.
        again = form_fields(response.text)
        saved = client.post("/statements/new", data=again, follow_redirects=False)
        assert saved.status_code == 303, saved.text[:500]
        with check() as session:
            after = counts(session)
        assert after["Statement"] == before["Statement"] + 1
        assert after["Source"] == before["Source"] + 1
        assert after["Revision"] == before["Revision"] + 2


def test_a_full_pool_answers_503_quickly_not_a_hang(outage: Outage) -> None:
    app = create_app(outage.settings)
    with TestClient(app) as client:
        assert client.get("/parties").status_code == 200
        app.state.engine.dispose()
        tiny = make_engine(outage.settings, pool_size=1, max_overflow=0, pool_timeout=0.5)
        app.state.engine = tiny
        app.state.sessionmaker = make_sessionmaker(tiny)
        # Someone else holds the only connection, and keeps it until the answer is in: an
        # answer at all (in this thread, inside the block) shows the request gave up waiting
        # for the pool rather than waited for the connection's release. No stopwatch needed.
        with tiny.connect():
            response = client.get("/parties")
        assert response.status_code == 503, response.text[:300]
        assert client.get("/parties").status_code == 200
        tiny.dispose()


def lose_the_answer_to_the_next_commit(engine: Engine) -> list[str]:
    """Let the next COMMIT reach the database, then fail as if the server died before replying.

    The one case where a 503 cannot say "nothing was saved": the write is stored, the answer lost.
    """
    lost: list[str] = []
    commit = engine.dialect.do_commit

    def commit_then_lose_the_answer(dbapi_connection: Any) -> None:
        commit(dbapi_connection)
        if not lost:
            lost.append("commit")
            raise psycopg.OperationalError("server closed the connection unexpectedly")

    engine.dialect.do_commit = commit_then_lose_the_answer  # type: ignore[method-assign]
    return lost


def test_a_save_whose_commit_answer_is_lost_says_it_may_be_stored_and_sending_again_stores_it_once(
    outage: Outage,
) -> None:
    app = create_app(outage.settings)
    with TestClient(app) as client:
        log_in(client, outage.user)
        fields = {
            **form_fields(client.get("/statements/new")),
            "party": str(outage.party_id),
            "demand": str(outage.demand_id),
            "stance": "2",
            "stated_on": "2025-03-05",
            "summary": "Stored, but the answer never came back.",
            "source_url": "https://news.example.org/lost-answer",
            "source_title": "Lost answer",
            "source_publisher": "Example News",
        }
        check = make_sessionmaker(app.state.engine)
        with check() as session:
            before = counts(session)
        lost = lose_the_answer_to_the_next_commit(app.state.engine)
        response = client.post("/statements/new", data=fields, follow_redirects=False)
        assert lost
        assert response.status_code == 503, response.text[:300]
        assert response.headers["retry-after"] == "5"
        alert = parse(response.text).select_one("[role=alert]").get_text()
        assert "may or may not have been" in alert and "Nothing was saved" not in alert
        with check() as session:
            assert counts(session)["Statement"] == before["Statement"] + 1  # it was stored

        saved = client.post("/statements/new", data=form_fields(response.text))
        assert saved.status_code == 200
        assert "Stored, but the answer never came back." in saved.text
        with check() as session:
            after = counts(session)
        # The submission key the 503 page carried found the stored statement: not a second one.
        assert after["Statement"] == before["Statement"] + 1
        assert after["Revision"] == before["Revision"] + 2
