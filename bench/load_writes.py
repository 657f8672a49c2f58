"""A bounded load test with writes: anonymous readers and editors saving at once, then an audit.

    python -m bench.load_writes                  # 60 s, 2 uvicorn workers, loopback only
    python -m bench.load_writes --seconds 20 --readers 2 --editors 4

Makes a throw-away PostgreSQL database with the demo data and one account per editor thread,
starts `uvicorn --workers 2` on 127.0.0.1, and runs reader threads (matrix, lists, statement
pages, the JSON API) beside editor threads that open a statement's edit form and save it: half of
the saves go to three "hot" statements that every editor fights over, half to any statement.
It stops by itself after --seconds, then checks what the issue promises:

- no 5xx at all;
- every accepted save (303) has exactly one revision carrying its text, and no other edit
  revision appeared; every refused save was a 409;
- every row equals the replay of its revision log (the last snapshot), versions contiguous.

Prints the figures and exits non-zero if any check fails. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.demo import load_demo
from app.migrate import upgrade
from app.models import Demand, Party, Revision, Role, Source, Statement, User
from app.settings import Settings
from app.users.service import UserFields, create_user, system_user
from tests.conftest import create_postgres_database, drop_postgres_database

PASSWORD = "load test password, long enough"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One person: own cookies, no redirects followed, status and body of every request."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(f"{self.base}{path}", data=body, timeout=30) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode(errors="replace")


def form_of(html: str) -> dict[str, str]:
    form = BeautifulSoup(html, "html.parser").select_one("form.editor-form")
    assert form is not None, html[:300]
    fields: dict[str, str] = {}
    for element in form.select("input[name], textarea[name], select[name]"):
        name = str(element["name"])
        if element.name == "textarea":
            fields[name] = element.text
        elif element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            fields[name] = str(chosen.get("value", "")) if chosen else ""
        elif element.get("type") in ("radio", "checkbox"):
            if element.has_attr("checked"):
                fields[name] = str(element.get("value", "on"))
        else:
            fields.setdefault(name, str(element.get("value", "")))
    return fields


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--editors", type=int, default=6)
    args = parser.parse_args()

    url = create_postgres_database()
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    with Session(engine) as session, session.begin():
        load_demo(session)
        by = system_user(session)
        for n in range(args.editors):
            create_user(
                session,
                UserFields(
                    email=f"load{n}@example.org", display_name=f"Load {n}", role=Role.EDITOR
                ),
                password=PASSWORD,
                by=by,
            )
    with Session(engine) as session:
        statement_ids = list(session.scalars(select(Statement.id).order_by(Statement.id)))
        party_slugs = list(session.scalars(select(Party.slug)))
        edits_before = len(
            list(session.scalars(select(Revision.id).where(Revision.action == "edit")))
        )
    hot = statement_ids[:3]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PARLEY_DATABASE_URL": url, "PARLEY_ENVIRONMENT": "development"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    statuses: collections.Counter[int] = collections.Counter()
    accepted: list[tuple[int, str]] = []
    refused_status: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()
    failures: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

        stop_at = time.monotonic() + args.seconds

        def reader(n: int) -> None:
            browser = Browser(base)
            rng = random.Random(n)
            pages = ["/", "/parties", "/demands", "/sources", "/api/statements", "/api/parties"]
            while time.monotonic() < stop_at:
                path = rng.choice(
                    [
                        *pages,
                        f"/statements/{rng.choice(statement_ids)}",
                        f"/parties/{rng.choice(party_slugs)}",
                    ]
                )
                status, _ = browser.request(path)
                with lock:
                    statuses[status] += 1

        def editor(n: int) -> None:
            browser = Browser(base)
            rng = random.Random(1000 + n)
            status, page = browser.request("/login")
            status, _ = browser.request(
                "/login",
                {
                    **form_of(page),
                    "email": f"load{n}@example.org",
                    "password": PASSWORD,
                },
            )
            if status != 303:
                failures.append(f"editor {n} could not log in: {status}")
                return
            saves = 0
            while time.monotonic() < stop_at:
                statement_id = rng.choice(hot if rng.random() < 0.5 else statement_ids)
                status, page = browser.request(f"/statements/{statement_id}/edit")
                with lock:
                    statuses[status] += 1
                if status != 200:
                    continue
                # A moment of "typing": other editors get to save the same version meanwhile.
                time.sleep(rng.random() * 0.05)
                saves += 1
                text = f"Load test: editor {n}, save {saves}."
                status, _ = browser.request(
                    f"/statements/{statement_id}/edit", {**form_of(page), "summary": text}
                )
                with lock:
                    statuses[status] += 1
                    if status == 303:
                        accepted.append((statement_id, text))
                    else:
                        refused_status[status] += 1

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(args.readers)]
        threads += [threading.Thread(target=editor, args=(n,)) for n in range(args.editors)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=20)

    try:
        with Session(engine) as session:
            edits = list(
                session.scalars(
                    select(Revision).where(Revision.action == "edit").order_by(Revision.id)
                )
            )[edits_before:]
            by_text = collections.Counter((r.entity_id, r.snapshot.get("summary")) for r in edits)
            for save in accepted:
                if by_text[save] != 1:
                    failures.append(f"accepted save {save} has {by_text[save]} revisions")
            if len(edits) != len(accepted):
                failures.append(f"{len(edits)} edit revisions for {len(accepted)} accepted saves")
            if set(refused_status) - {409}:
                failures.append(f"refused saves answered {dict(refused_status)}")
            rows_checked = 0
            for model in (Statement, Party, Demand, Source, User):
                log: dict[int, list[Revision]] = collections.defaultdict(list)
                for revision in session.scalars(
                    select(Revision)
                    .where(Revision.entity_type == model.ENTITY_TYPE)
                    .order_by(Revision.entity_id, Revision.version)
                ):
                    log[revision.entity_id].append(revision)
                for row in session.scalars(select(model)):
                    revisions = log.get(row.id, [])
                    rows_checked += 1
                    if [r.version for r in revisions] != list(range(1, row.version + 1)):
                        failures.append(f"{model.ENTITY_TYPE} {row.id}: versions not contiguous")
                    elif revisions[-1].snapshot != row.snapshot():
                        failures.append(f"{model.ENTITY_TYPE} {row.id}: row differs from its log")
    finally:
        engine.dispose()
        drop_postgres_database(url)

    requests = sum(statuses.values())
    errors = sum(n for status, n in statuses.items() if status >= 500)
    if errors:
        failures.append(f"{errors} responses were 5xx")
    print(
        f"{took:.0f} s, {args.readers} readers + {args.editors} editors, 2 workers: "
        f"{requests} requests ({requests / took:.0f}/s), "
        f"statuses {dict(sorted(statuses.items()))}; "
        f"saves accepted {len(accepted)}, refused {sum(refused_status.values())} "
        f"({dict(refused_status)}); 5xx {errors}; rows checked against their revision log "
        f"{rows_checked}, rows lost or differing {sum('row differs' in f for f in failures)}"
    )
    for failure in failures[:20]:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
