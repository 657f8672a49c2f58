"""PostgreSQL itself going down and coming back, on a throw-away cluster of our own.

Never the shared server on 5432: the test creates a cluster on a free port, stops and starts it,
and drops it. Skipped where the Debian cluster tools are missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.migrate import upgrade
from app.models import Role
from app.settings import Settings
from app.users.service import UserFields, create_user, system_user
from tests.editors import counts, form_fields, log_in
from tests.factories import PASSWORD, make_demand, make_party
from tests.html import parse

pytestmark = pytest.mark.skipif(
    shutil.which("pg_createcluster") is None, reason="needs the Debian PostgreSQL cluster tools"
)
VERSION = "15"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ctl(name: str, action: str) -> None:
    subprocess.run(["pg_ctlcluster", VERSION, name, action], check=True, capture_output=True)


@pytest.fixture
def cluster() -> Iterator[tuple[str, str]]:
    name, port = f"parley_restart_{uuid.uuid4().hex[:8]}", _free_port()
    subprocess.run(
        ["pg_createcluster", VERSION, name, "-p", str(port), "--start", "--", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    try:
        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE parley"))
        admin.dispose()
        yield name, f"postgresql+psycopg://postgres@127.0.0.1:{port}/parley"
    finally:
        subprocess.run(["pg_dropcluster", VERSION, name, "--stop"], capture_output=True)


def test_the_app_answers_503_while_postgres_is_down_and_recovers_when_it_is_back(
    cluster: tuple[str, str],
) -> None:
    name, url = cluster
    settings = Settings(database_url=url, environment="development", data_version_ttl=0)
    engine = make_engine(settings)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        user = create_user(
            session,
            UserFields(email="ed@example.org", display_name="Ed", role=Role.EDITOR),
            password=PASSWORD,
            by=system_user(session),
        )
        party_id, demand_id = make_party(session).id, make_demand(session).id
        session.expunge(user)
    engine.dispose()

    app = create_app(settings)
    with TestClient(app) as client:
        log_in(client, user)
        fields = {
            **form_fields(client.get("/statements/new")),
            "party": str(party_id),
            "demand": str(demand_id),
            "stance": "1",
            "stated_on": "2025-03-04",
            "summary": "Typed while the database restarts.",
            "source_url": "https://news.example.org/restart",
            "source_title": "Restart story",
            "source_publisher": "Example News",
        }
        with make_sessionmaker(app.state.engine)() as session:
            before = counts(session)

        ctl(name, "stop")  # fast shutdown: pooled connections die with it
        read = client.get("/demands")
        save = client.post("/statements/new", data=fields, follow_redirects=False)
        assert (read.status_code, save.status_code) == (503, 503)
        assert read.headers["retry-after"] == "5"
        typed = [t.get_text() for t in parse(save.text).select("form textarea")]
        assert "Typed while the database restarts." in typed

        ctl(name, "start")
        # No restart of the app: pool_pre_ping replaces the dead connections by itself.
        assert client.get("/demands").status_code == 200
        with make_sessionmaker(app.state.engine)() as session:
            assert counts(session) == before, "something was stored during the outage"
        again = client.post("/statements/new", data=form_fields(save.text), follow_redirects=False)
        assert again.status_code == 303, again.text[:300]
        with make_sessionmaker(app.state.engine)() as session:
            after = counts(session)
        assert after["Statement"] == before["Statement"] + 1
        assert after["Revision"] == before["Revision"] + 2  # the statement and its new source
