"""Read replicas on a real streaming replica: a second PostgreSQL cluster made with
pg_createcluster + pg_basebackup from the primary (bench/replica_cluster.py), once per run.

Which database answered is read from the X-Parley-Read-From header; what it answered from the
bodies. Waits are polls with a deadline on the replica's checked state, never timing asserts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.db import make_engine
from app.demo import load_demo
from app.main import create_app
from app.migrate import upgrade
from app.models import Party, Revision
from app.parties.service import PartyFields, update_party
from app.replicas import READ_FROM_HEADER, WROTE_COOKIE
from app.settings import Settings
from app.users.service import system_user
from bench.replica_cluster import Cluster, missing_tools, streaming_replica
from tests.app_server import app_server
from tests.conftest import POSTGRES_ADMIN_URL, create_postgres_database, drop_postgres_database
from tests.editors import log_in, post_form
from tests.factories import make_user

SLUG = "ukraine"


@pytest.fixture(scope="session")
def replica_cluster() -> Iterator[Cluster]:
    problem = missing_tools()
    if problem:
        pytest.skip(f"no streaming replica can be made here: {problem}")
    with streaming_replica(POSTGRES_ADMIN_URL) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def primary_url(replica_cluster: Cluster) -> Iterator[str]:
    """A database of this module's own on the primary, with the demo data (committed: the
    replica only sees what the primary commits)."""
    url = create_postgres_database()
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    with Session(engine) as session, session.begin():
        load_demo(session)
    engine.dispose()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="module")
def replica_url(primary_url: str, replica_cluster: Cluster) -> str:
    return f"{replica_cluster.url}/{make_url(primary_url).database}"


@pytest.fixture(scope="module")
def primary(primary_url: str) -> Iterator[Engine]:
    engine = create_engine(primary_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def replica(replica_url: str) -> Iterator[Engine]:
    engine = create_engine(replica_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    yield engine
    engine.dispose()


@pytest.fixture
def make_client(
    primary_url: str, replica_url: str, replica_cluster: Cluster, replica: Engine
) -> Iterator[Callable[..., TestClient]]:
    """Apps reading from the replica (started, replaying, caught up), as TestClients."""
    replica_cluster.running()
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        values: dict[str, Any] = {
            "database_url": primary_url,
            "database_replica_urls": replica_url,
            "replica_max_lag_s": 30.0,
            "replica_check_interval_s": 0.2,
            "data_version_ttl": 0,
            # Every read reaches a database (the render cache would answer repeats itself).
            "render_cache_mb": 0,
        }
        values.update(overrides)
        client = TestClient(create_app(Settings(**values)))
        client.__enter__()
        clients.append(client)
        wait_for(lambda: _app(client).state.replicas.states()[0].usable, "the replica in use")
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    replica_cluster.running()


def _app(client: TestClient) -> FastAPI:
    app: FastAPI = client.app  # type: ignore[assignment]
    return app


def wait_for(condition: Callable[[], object], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.05)


def caught_up(client: TestClient, primary: Engine) -> Callable[[], bool]:
    """The app's last check found the replica holding every revision the primary has."""

    def check() -> bool:
        with Session(primary) as session:
            newest = session.scalar(select(func.max(Revision.id)))
        state = _app(client).state.replicas.states()[0]
        return bool(state.usable and (state.revision_id or 0) >= newest)

    return check


def rename(primary: Engine, name: str) -> None:
    """A write committed on the primary, through the service (it appends a revision)."""
    with Session(primary) as session, session.begin():
        party = session.scalars(select(Party).where(Party.slug == SLUG)).one()
        fields = PartyFields.model_validate(
            {
                "slug": party.slug,
                "name": name,
                "short_name": party.short_name,
                "kind": party.kind,
                "colour": party.colour,
                "description": party.description,
            }
        )
        update_party(session, party, fields, form_version=party.version, user=system_user(session))


def read(client: TestClient | Remote, **kwargs: Any) -> tuple[str, str, str]:
    """(database, ETag, party name) of one anonymous read of the party."""
    response = client.get(f"/api/parties/{SLUG}", **kwargs)
    assert response.status_code == 200, response.text
    # No header: answered from the process's render cache, no database read.
    where = response.headers.get(READ_FROM_HEADER, "cache")
    return where, response.headers.get("etag", "unshared"), response.json()["name"]


class Remote:
    """An app server in a process of its own, asked over HTTP like a TestClient."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.base + path, timeout=10, **kwargs)


def pause_replay(replica: Engine) -> None:
    with replica.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_pause()"))


def test_anonymous_reads_are_answered_by_the_replica(make_client) -> None:
    client = make_client()
    assert read(client)[0] == "replica"
    head = client.head("/api/demands")  # not asked before: not in the render cache
    assert head.status_code == 200
    assert head.headers[READ_FROM_HEADER] == "replica"
    health = client.get("/healthz").json()
    assert health["replicas"][0]["in_use"] is True


def test_an_editor_reads_from_the_primary(make_client, primary: Engine) -> None:
    client = make_client()
    with Session(primary, expire_on_commit=False) as session, session.begin():
        editor = make_user(session)
    log_in(client, editor)
    response = client.get(f"/api/parties/{SLUG}")
    assert response.headers[READ_FROM_HEADER] == "primary"
    assert client.get("/").headers[READ_FROM_HEADER] == "primary"


def test_a_client_reads_its_own_write_on_another_app_server(
    make_client, primary: Engine, replica: Engine, primary_url: str, replica_url: str, tmp_path
) -> None:
    # Two app servers on one primary and replica: the writer here, the reader a process of its
    # own whose data version is kept a minute (data_version_ttl): only the writer's cookie keeps
    # that reader's stale replica away from the client who wrote.
    writer = make_client()
    env = {
        "PARLEY_DATABASE_URL": primary_url,
        "PARLEY_DATABASE_REPLICA_URLS": replica_url,
        "PARLEY_REPLICA_MAX_LAG_S": "30",
        "PARLEY_REPLICA_CHECK_INTERVAL_S": "0.2",
        "PARLEY_DATA_VERSION_TTL": "60",
    }
    with app_server(env, tmp_path / "reader.log") as base:
        reader = Remote(base)
        replicas_in_use = lambda: reader.get("/healthz").json()["replicas"][0]["in_use"]  # noqa: E731
        wait_for(replicas_in_use, "the reader's replica in use")
        wait_for(lambda: read(reader)[0] == "replica", "the reader on the replica")  # version kept
        with Session(primary, expire_on_commit=False) as session, session.begin():
            editor = make_user(session)
        log_in(writer, editor)
        pause_replay(replica)
        party_id = writer.get(f"/api/parties/{SLUG}").json()["id"]
        url = f"/edit/parties/{party_id}"
        saved = post_form(writer, url, url, {"name": "Written Just Now"})
        assert saved.status_code == 303, saved.text
        assert WROTE_COOKIE in saved.cookies

        # The same client, logged out (no session cookie), on the other app server.
        own = {"Cookie": f"{WROTE_COOKIE}={saved.cookies[WROTE_COOKIE]}"}
        assert read(reader, headers=own)[::2] == ("primary", "Written Just Now")
        # A stranger there may be a data_version_ttl behind (documented): the page kept at the
        # version it holds, or the paused replica.
        assert read(reader)[2] == "Ukraine"
        # A forged cookie is no way past the caches or to the primary.
        forged = {"Cookie": f"{WROTE_COOKIE}=0/0.forged"}
        assert read(reader, headers=forged)[::2] == ("cache", "Ukraine")


def test_a_stopped_replica_is_skipped_without_an_error(
    make_client, replica_cluster: Cluster
) -> None:
    client = make_client()
    assert read(client)[0] == "replica"
    replica_cluster.ctl("stop")
    # Right away (before any check has noticed): answered, from the primary.
    seen = [read(client)[0] for _ in range(20)]
    assert set(seen) == {"primary"}
    wait_for(lambda: not _app(client).state.replicas.states()[0].usable, "the check to notice")
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["replicas"][0]["in_use"] is False
    replica_cluster.ctl("start")
    wait_for(lambda: read(client)[0] == "replica", "reads back on the replica")


def test_a_replica_lost_mid_request_is_answered_again_from_the_primary(
    make_client, replica_cluster: Cluster
) -> None:
    client = make_client()
    replica_engine = _app(client).state.replicas.replicas[0].engine
    killed: list[int] = []

    def cut_once(connection, cursor, statement, *_):  # type: ignore[no-untyped-def]
        # The replica's server ends this very connection just before its first statement runs:
        # what a replica stopped in the middle of a request does to it.
        if killed or "party" not in statement:
            return
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        killed.append(pid)
        with create_engine(f"{replica_cluster.url}/postgres").connect() as admin:
            # With a timeout: returns once that backend has ended, not merely been signalled.
            admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    event.listen(replica_engine, "before_cursor_execute", cut_once)
    try:
        where = read(client)[0]  # status 200, or read() fails
    finally:
        event.remove(replica_engine, "before_cursor_execute", cut_once)
    assert killed, "the replica's connection was not cut"
    assert where == "primary"


def test_a_lagging_replica_is_skipped(make_client, primary: Engine, replica: Engine) -> None:
    client = make_client(replica_max_lag_s=0.5)
    assert read(client)[0] == "replica"
    pause_replay(replica)
    # WAL the replica cannot replay, and no revision: only the lag can keep reads away from it.
    with primary.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS lag_probe (n int)"))
        connection.execute(text("INSERT INTO lag_probe VALUES (1)"))
    replicas = _app(client).state.replicas
    wait_for(lambda: "lagging" in replicas.states()[0].reason, "the lag to be seen")
    assert read(client)[0] == "primary"
    assert "lagging" in client.get("/healthz").json()["replicas"][0]["state"]
    _replaying_again(replica)
    wait_for(lambda: replicas.states()[0].usable, "the replica caught up")
    assert read(client)[0] == "replica"


def _replaying_again(replica: Engine) -> None:
    with replica.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_resume()"))


def test_the_version_and_the_page_never_go_back_when_reads_move(
    make_client, primary: Engine, replica: Engine
) -> None:
    client = make_client()  # data_version_ttl=0: every read asks the primary for the version
    wait_for(caught_up(client, primary), "the replica caught up")
    where, old_etag, _ = read(client)
    assert where == "replica"
    pause_replay(replica)
    rename(primary, "Renamed On The Primary")

    # The replica is now behind the version in the ETag: the primary answers, with the new
    # name under the new tag (a replica here would send the old page under the new tag, and
    # every cache would keep it until the next write).
    seen = [read(client) for _ in range(5)]
    assert {s[0] for s in seen} == {"primary"}
    new_etag = seen[0][1]
    assert new_etag != old_etag
    assert all(s[1:] == (new_etag, "Renamed On The Primary") for s in seen)

    _replaying_again(replica)
    wait_for(caught_up(client, primary), "the replica caught up")
    where, etag, name = read(client)
    assert (where, etag, name) == ("replica", new_etag, "Renamed On The Primary")
    revalidated = client.get(f"/api/parties/{SLUG}", headers={"If-None-Match": new_etag})
    assert revalidated.status_code == 304


def test_sqlite_ignores_replicas(tmp_path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'one.db'}",
        database_replica_urls="postgresql://postgres@127.0.0.1:1/none",
    )
    assert settings.replica_urls == []
    assert create_app(settings).state.replicas is None


def test_replica_urls_must_be_postgresql() -> None:
    with pytest.raises(ValueError, match="PostgreSQL URLs"):
        Settings(database_replica_urls="sqlite:///x.db")


def test_a_quiet_primary_does_not_make_its_replica_look_hours_behind() -> None:
    # The last transaction replayed an hour ago (nothing was written since), then one write: the
    # replica is behind by that write, not by an hour. The bound from the checks says so.
    from app.replicas import Replicas

    replicas = Replicas(
        create_engine("sqlite://"), [], max_lag_s=5, check_interval_s=1, served_revision=lambda: 0
    )
    replicas._history.extend([(100.0, 1000), (101.0, 1000), (102.0, 1200)])
    assert replicas._lag(102.3, 1000, 1200, since_replay=3600.0) == pytest.approx(1.3)
    assert replicas._lag(102.3, 1200, 1200, since_replay=3600.0) == 0.0
    # Behind a position no check saw it reach: only the replay timestamp bounds it.
    assert replicas._lag(102.3, 900, 1200, since_replay=7.5) == 7.5
    assert replicas._lag(102.3, 900, 1200, since_replay=None) is None
