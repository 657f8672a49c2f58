"""PostgreSQL itself going down and coming back, on a throw-away cluster of our own.

Never the shared server on 5432: the test creates a cluster on a free port, stops and starts it,
and drops it. Skipped where the Debian cluster tools are missing.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.migrate import upgrade
from app.models import Revision, Role, Source, Statement
from app.settings import Settings
from app.users.service import UserFields, create_user, system_user
from tests.app_server import app_server, free_port
from tests.editors import counts, csrf_of, form_fields, log_in
from tests.factories import (
    PASSWORD,
    make_demand,
    make_negotiation,
    make_participation,
    make_party,
    make_statement,
)
from tests.html import parse

pytestmark = pytest.mark.skipif(
    shutil.which("pg_createcluster") is None, reason="needs the Debian PostgreSQL cluster tools"
)
VERSION = "15"


def ctl(name: str, action: str, mode: str = "fast") -> None:
    subprocess.run(
        ["pg_ctlcluster", "--mode", mode, VERSION, name, action], check=True, capture_output=True
    )


@pytest.fixture
def cluster() -> Iterator[tuple[str, str]]:
    name, port = f"parley_restart_{uuid.uuid4().hex[:8]}", free_port()
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
        make_negotiation(session, slug="russia-ukraine")  # the talks the read paths name
        party = make_party(session)
        make_participation(session, party=party)
        party_id, demand_id = party.id, make_demand(session).id
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
        read = client.get("/talks/russia-ukraine/demands")
        save = client.post("/statements/new", data=fields, follow_redirects=False)
        assert (read.status_code, save.status_code) == (503, 503)
        assert read.headers["retry-after"] == "5"
        typed = [t.get_text() for t in parse(save.text).select("form textarea")]
        assert "Typed while the database restarts." in typed

        ctl(name, "start")
        # No restart of the app: pool_pre_ping replaces the dead connections by itself.
        assert client.get("/talks/russia-ukraine/demands").status_code == 200
        with make_sessionmaker(app.state.engine)() as session:
            assert counts(session) == before, "something was stored during the outage"
        again = client.post("/statements/new", data=form_fields(save.text), follow_redirects=False)
        assert again.status_code == 303, again.text[:300]
        with make_sessionmaker(app.state.engine)() as session:
            after = counts(session)
        assert after["Statement"] == before["Statement"] + 1
        assert after["Revision"] == before["Revision"] + 2  # the statement and its new source


# --- PostgreSQL restarted while readers and editors keep going -----------------------------
#
# A real app server (uvicorn subprocess) and real HTTP: readers fetch pages, editors open the add
# and edit forms and post them with their session's CSRF token, all without pause, while the
# cluster is stopped and started again under them. Then the database is audited.

EDITORS, READERS = 4, 3
OPEN_FORMS = 3  # add forms each editor keeps open, ready to send
# Every wait is bounded, so a hang fails the test instead of stalling the suite; the app's own
# waits (connect_timeout, pool_timeout) are 5 s.
CLIENT_TIMEOUT = 15
READ_PATHS = (
    "/",
    "/parties",
    "/talks/russia-ukraine/demands",
    "/talks/russia-ukraine/timeline",
    "/search?q=restart",
    "/sources",
)
ALLOWED = {"read": {200, 503}, "form": {200, 503}, "add": {303, 503}, "edit": {303, 409, 503}}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    body: str
    headers: Message


class Browser:
    """One person: own cookie jar, redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=CLIENT_TIMEOUT) as r:
                return Answer(r.status, r.read().decode(), r.headers)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(errors="replace"), error.headers)

    def log_in(self, email: str) -> None:
        page = self.request("/login")
        fields = {"csrf_token": csrf_of(page.body), "email": email, "password": PASSWORD}
        assert self.request("/login", fields).status == 303


@dataclass
class Exchange:
    """One request of the run: what was asked, when, and what came back."""

    kind: str  # "read", "form" (an editor opening a form), "add" or "edit"
    path: str
    started: float
    ended: float = 0.0
    status: int = 0  # 0: no answer at all (a timeout, a dropped connection)
    problem: str = ""
    editor: int = -1
    text: str = ""  # for saves: the summary sent, unique to the save
    key: str = ""  # for adds: the submission key
    location: str = ""
    resend: dict[str, str] | None = None  # for saves answered 503: the form shown again
    unconfirmed: bool = False  # that 503 page said the save may have been stored


@dataclass
class Run:
    base: str
    seeded: dict[str, Any]
    stop: threading.Event = field(default_factory=threading.Event)
    log: list[Exchange] = field(default_factory=list)  # list.append is atomic
    editors: dict[int, Browser] = field(default_factory=dict)

    def exchange(self, browser: Browser, entry: Exchange, data: Any = None) -> Answer | None:
        self.log.append(entry)
        try:
            answer = browser.request(entry.path, data)
        except (OSError, http.client.HTTPException) as error:  # a timeout is an OSError
            entry.ended, entry.problem = time.monotonic(), f"no answer: {error!r}"
            return None
        entry.ended, entry.status = time.monotonic(), answer.status
        entry.problem = problem_with(entry, answer)
        entry.location = answer.headers.get("location", "")
        if answer.status == 503 and entry.kind in ("add", "edit"):
            entry.resend = form_fields(answer.body)
            entry.unconfirmed = "may or may not have been" in answer.body
        return answer


def problem_with(entry: Exchange, answer: Answer) -> str:
    """What is wrong with this answer, if anything: a 500, a 503 that does not help, …"""
    if answer.status not in ALLOWED[entry.kind]:
        return f"status {answer.status}: {answer.body[:200]!r}"
    if answer.status != 503:
        return ""
    if answer.headers.get("retry-after") != "5":
        return "a 503 without Retry-After: 5"
    alert = parse(answer.body).select_one("[role=alert]")
    if alert is None or "again in a few seconds" not in alert.get_text():
        return "a 503 without the retry message"
    typed = [t.get_text() for t in parse(answer.body).select("form textarea")]
    if entry.kind in ("add", "edit") and entry.text not in typed:
        return "a save's 503 without the typed text"
    return ""


def reader(run: Run, n: int) -> None:
    browser = Browser(run.base)
    paths = [
        *READ_PATHS,
        f"/statements/{run.seeded['hot']}",
        f"/parties/{run.seeded['party_slug']}",
    ]
    i = n
    while not run.stop.is_set():
        run.exchange(browser, Exchange("read", paths[i % len(paths)], time.monotonic()))
        i += 1


def editor(run: Run, n: int) -> None:
    browser = run.editors[n]
    hot = f"/statements/{run.seeded['hot']}/edit"
    # Forms this editor has open, as in browser tabs: an add form opened before the outage can
    # be sent during it, so saves meet the outage however the timing falls.
    # (Only forms that came: on a loaded machine one may be refused, 503, before the outage.)
    opened = [browser.request("/statements/new") for _ in range(OPEN_FORMS)]
    add_forms = deque(answer.body for answer in opened if answer.status == 200)
    edit_form = ""
    i = 0
    while not run.stop.is_set():
        i += 1
        # Adds (each with a new source), and edits of one statement every editor shares, so
        # conflicts (409) happen beside the outage.
        path = "/statements/new" if i % 2 else hot
        form = run.exchange(browser, Exchange("form", path, time.monotonic(), editor=n))
        if form is not None and form.status == 200:
            if path == hot:
                edit_form = form.body
            else:
                add_forms.append(form.body)
        if (path == hot and not edit_form) or (path != hot and not add_forms):
            time.sleep(0.1)  # nothing left to send: wait, as a person would
            continue
        text = f"Editor {n}, save {i}: typed while PostgreSQL restarts."
        if path == hot:
            data = {**form_fields(edit_form), "summary": text}
            entry = Exchange("edit", path, time.monotonic(), editor=n, text=text)
        else:
            data = {
                **form_fields(add_forms.popleft()),
                "party": str(run.seeded["party"]),
                "demand": str(run.seeded["demand"]),
                "stance": "1",
                "stated_on": "2025-03-04",
                "summary": text,
                "source_url": f"https://news.example.org/restart/{n}/{i}",
                "source_title": f"Restart story {n}.{i}",
                "source_publisher": "Example News",
            }
            key = data["submission_key"]
            entry = Exchange("add", path, time.monotonic(), editor=n, text=text, key=key)
        run.exchange(browser, entry, data)


@pytest.fixture
def seeded(cluster: tuple[str, str]) -> dict[str, Any]:
    """The cluster's database, migrated: a party, a demand, one statement, the editors."""
    _, url = cluster
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    with Session(engine) as session, session.begin():
        by = system_user(session)
        emails = [f"ed{n}@example.org" for n in range(EDITORS)]
        for n, email in enumerate(emails):
            fields = UserFields(email=email, display_name=f"Ed {n}", role=Role.EDITOR)
            create_user(session, fields, password=PASSWORD, by=by)
        make_negotiation(session, slug="russia-ukraine")  # the talks READ_PATHS name
        party, demand = make_party(session), make_demand(session)
        hot = make_statement(session, party=party, demand=demand)
        seeded = {
            "emails": emails,
            "party": party.id,
            "party_slug": party.slug,
            "demand": demand.id,
            "hot": hot.id,
        }
    engine.dispose()
    return seeded


@pytest.fixture
def server(cluster: tuple[str, str], tmp_path: Path) -> Iterator[str]:
    """The app in its own uvicorn process on the cluster's database; its base URL."""
    _, url = cluster
    env = {
        "PARLEY_DATABASE_URL": url,
        "PARLEY_ENVIRONMENT": "development",
        "PARLEY_DATA_VERSION_TTL": "0",  # every read asks the database: more of them in flight
    }
    with app_server(env, tmp_path / "server.log") as base:
        yield base


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgres_restarted_under_reads_and_saves_answers_503_then_recovers_with_nothing_half_done(
    cluster: tuple[str, str], seeded: dict[str, Any], server: str, mode: str
) -> None:
    name, url = cluster
    run = Run(server, seeded)
    for n, email in enumerate(seeded["emails"]):
        run.editors[n] = Browser(server)
        run.editors[n].log_in(email)
    threads = [threading.Thread(target=reader, args=(run, n)) for n in range(READERS)]
    threads += [threading.Thread(target=editor, args=(run, n)) for n in range(EDITORS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)  # everyone busy
        # "immediate" is a crash: no backend finishes its answer, recovery replays the WAL.
        stop_at = time.monotonic()
        ctl(name, "stop", mode)
        time.sleep(2)
        start_at = time.monotonic()
        ctl(name, "start")  # returns once PostgreSQL accepts connections again
        back_at = time.monotonic()
        time.sleep(4)
    finally:
        run.stop.set()
        for thread in threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)
    assert not any(t.is_alive() for t in threads), "a client is still waiting: a hang"

    log = run.log
    in_flight = Counter(e.kind for e in log if e.started <= stop_at <= (e.ended or stop_at))
    outcome = Counter(f"{e.kind} {e.status}" for e in log)
    print(
        f"\nstop --mode {mode}: {len(log)} requests, in flight at the stop: {dict(in_flight)}, "
        f"down {start_at - stop_at:.1f} s, answers: {dict(sorted(outcome.items()))}"
    )
    problems = [f"{e.kind} {e.path}: {e.problem}" for e in log if e.problem]
    assert problems == [], problems[:10]
    # The outage really hit reads and saves (else this test proves nothing).
    assert outcome["read 503"] and outcome["add 503"] + outcome["edit 503"], dict(outcome)
    # Recovered by itself, no app restart: from a second after PostgreSQL is back, no more 503.
    later = [e for e in log if e.started > back_at + 1]
    assert {e.kind for e in later} == {"read", "form", "add", "edit"}, dict(outcome)
    assert [e for e in later if e.status == 503] == []

    engine = make_engine(Settings(database_url=url))
    try:
        audit(run, engine)
    finally:
        engine.dispose()


def audit(run: Run, engine: Any) -> None:
    """Nothing half-done, every answered save stored once; then each editor sends their 503
    forms again, and each lands exactly once."""
    adds = [e for e in run.log if e.kind == "add"]
    edits = [e for e in run.log if e.kind == "edit"]
    with Session(engine) as session:
        assert_rows_match_their_revisions(session)
        stored = statements_by_key(session)
        edit_texts = Counter(edit_summaries(session))
    for e in adds:
        if e.status == 303:
            assert e.location == f"/statements/{stored[e.key]}?saved=1", e
        elif e.key in stored:
            # The COMMIT reached the database and its answer was lost: honest only if the 503
            # page said the save may have been stored.
            assert e.unconfirmed, f"{e.text!r} was stored, but its 503 page said it was not"
    assert {e.key for e in adds if e.status == 303} <= set(stored) <= {e.key for e in adds}
    for e in edits:
        expected = {303: {1}, 409: {0}, 503: {0, 1}}[e.status]
        assert edit_texts[e.text] in expected, (e.status, e.text, edit_texts[e.text])
        assert edit_texts[e.text] == 0 or e.status == 303 or e.unconfirmed, e
    assert sum(edit_texts.values()) == len(edit_texts), "an edit was stored twice"

    for e in adds + edits:
        if e.resend is None:
            continue
        again = run.editors[e.editor].request(e.path, e.resend)
        allowed = {303} if e.kind == "add" else {303, 409}  # a stored edit conflicts with itself
        assert again.status in allowed, again.body[:300]
        if e.kind == "add" and e.key in stored:
            assert again.headers["location"] == f"/statements/{stored[e.key]}?saved=1"
    with Session(engine) as session:
        assert_rows_match_their_revisions(session)
        stored = statements_by_key(session)
        edit_texts = Counter(edit_summaries(session))
    assert set(stored) == {e.key for e in adds}, "an add was lost or stored twice"
    assert sum(edit_texts.values()) == len(edit_texts), "an edit was stored twice"


def assert_rows_match_their_revisions(session: Session) -> None:
    """Every statement and source row has revisions 1..version, the last one equal to the row;
    no revision names a row that is not there; every source belongs to one statement."""
    for model, entity in ((Statement, "statement"), (Source, "source")):
        rows = {row.id: row for row in session.scalars(select(model))}
        revisions: dict[int, list[Revision]] = {}
        for revision in session.scalars(
            select(Revision).where(Revision.entity_type == entity).order_by(Revision.version)
        ):
            revisions.setdefault(revision.entity_id, []).append(revision)
        assert set(revisions) == set(rows), f"{entity}: rows and revisions differ"
        for row_id, row in rows.items():
            versions = [r.version for r in revisions[row_id]]
            assert versions == list(range(1, row.version + 1)), (entity, row_id, versions)
            assert revisions[row_id][-1].snapshot == row.snapshot(), (entity, row_id)
    # In this test sources are only ever made by adds: one left alone is half an add.
    used = Counter(session.scalars(select(Statement.source_id)))
    assert set(used) == set(session.scalars(select(Source.id)))


def statements_by_key(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Statement.submission_key, Statement.id).where(Statement.submission_key.is_not(None))
    )
    return {key: statement_id for key, statement_id in rows}


def edit_summaries(session: Session) -> list[str]:
    """The summary of every stored edit of a statement: one per edit that was saved."""
    snapshots = session.scalars(
        select(Revision.snapshot).where(
            Revision.entity_type == "statement", Revision.action == "edit"
        )
    )
    return [snapshot["summary"] for snapshot in snapshots]
