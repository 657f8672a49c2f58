"""Benchmark the app over HTTP: 2 uvicorn workers driven by wrk, beside the reference app.

    python -m bench.run                          # 100k statements on PostgreSQL
    python -m bench.run --statements 1000000     # 1M (generated once, then reused)
    python -m bench.run --sqlite                 # 100k on SQLite, the embedded default
    python -m bench.run --quick                  # 3 s per run: a smoke test of the tooling

Generates the data if the database is missing or holds another number of statements
(app/synthetic_data.py), counts queries per request in-process, starts
`uvicorn app.main:create_app --factory --workers 2 --loop uvloop --http httptools` pinned with
taskset, runs wrk at 1 and 16 connections per page, then does the same for the reference app's
`matrix` endpoint (outside this repository: PARLEY_BENCH_REFERENCE_APP) against the same
PostgreSQL, and prints one markdown table.
Pages that answer 404 are listed as "not built yet", so new pages join the table when they land.
Raw wrk output and the table go to --out.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, event, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from app.db import make_engine
from app.migrate import upgrade
from app.models import (
    Demand,
    Negotiation,
    Participation,
    Party,
    Revision,
    Role,
    Source,
    Statement,
    User,
)
from app.settings import Settings
from app.synthetic_data import END, PLAN_START, START, generate, statement_count
from app.users.service import UserFields, create_user, system_user
from bench.load_writes import Browser, form_of

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
# The reference app (a bare-stack matrix endpoint, not part of this repository) to compare with;
# skipped when it is not there.
CEILING = Path(os.environ.get("PARLEY_BENCH_REFERENCE_APP", ROOT.parent / "shared" / "ceiling"))
ADMIN_URL = os.environ.get(
    "PARLEY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# The cache-hit page asks for the last day of the data; the cache-miss script walks the days
# before it, so the two never share a URL.
FIXED_AS_OF = END
MISS_DAYS = (END - START).days
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
BENCH_EDITOR = "bench-editor@example.org"
BENCH_PASSWORD = "a bench editor's long password"
CSV_CANDIDATES = ("/statements.csv", "/export/statements.csv", "/api/statements.csv")


# ---------------------------------------------------------------------------------------------
# Pages


@dataclass
class Page:
    """One row group of the table: a URL (or a wrk script that makes URLs) and how to judge it."""

    name: str
    path: str
    script: list[str] = field(default_factory=list)  # wrk -s FILE -- ARGS...
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    # Paths to count queries on in-process (several, for pages whose URL varies per request).
    sample_paths: list[str] = field(default_factory=list)
    kind: str = "wrk"  # "wrk", "download" (CSV export), "save" (POSTs as an editor)


@dataclass
class Talks:
    """One negotiation of the generated data: what its scoped pages are asked for."""

    slug: str
    parties: list[str]  # its participants' slugs, in its order
    demand: str  # its first demand's slug


@dataclass
class Sample:
    slugs: list[str]
    demand: str
    max_statement: int
    parties: int = 0
    demands: int = 0
    word: str = "withdrawal"
    talks: list[Talks] = field(default_factory=list)


# A route's path from its name, or None while no route takes those parameters: the runner
# resolves scoped pages through the app's own route table, so a page that moves under
# /talks/{negotiation}/… is measured at its new URL without editing this file.
Resolve = Callable[..., "str | None"]


def route_resolver(app: Any) -> Resolve:
    from app.links import declared_routes

    routes = {getattr(r, "name", None): r for r in declared_routes(app)}

    def resolve(name: str, negotiation: str, query: str = "", **params: str) -> str | None:
        route = routes.get(name)
        if route is None:
            return None
        wanted = set(route.param_convertors)
        given = {k: v for k, v in {**params, "negotiation": negotiation}.items() if k in wanted}
        if wanted - set(given):
            return None
        path = str(route.url_path_for(name, **given))
        # Unscoped routes that filter by negotiation take it in the query instead.
        if "negotiation" not in wanted and name in QUERY_SCOPED:
            query = f"negotiation={negotiation}" + (f"&{query}" if query else "")
        return path + (f"?{query}" if query else "")

    return resolve


# Routes that take the negotiation as a query parameter rather than in their path.
QUERY_SCOPED = {"search", "api_statements_csv"}


# A day inside the generated history (app/synthetic_data.py enters statements from START on).
RECORDED_DAY = "2022-06-30"


def pages(sample: Sample, resolve: Resolve) -> list[Page]:
    as_of = FIXED_AS_OF.isoformat()

    def misses(path: str, since: dt.date = START) -> list[str]:
        days = (FIXED_AS_OF - since).days
        return [str(WRK_SCRIPTS / "as_of_miss.lua"), path, since.isoformat(), str(days)]

    def page(name: str, path: str | None, **kwargs: Any) -> Page:
        # A page with no route yet is listed as such (run_page asks for it and says so).
        return Page(name, path, **kwargs) if path else Page(name, "/-", kind="todo")

    def missed(name: str, path: str | None) -> Page:
        """The page at a new `as_of` per request: every request a render-cache miss."""
        name = f"{name} (cache miss: new as_of per request)"
        if not path:
            return page(name, None)
        joined = "&" if "?" in path else "?"
        return page(
            name,
            f"{path}{joined}as_of=2019-06-30",
            script=misses(path),
            sample_paths=[
                f"{path}{joined}as_of={d}" for d in ("2016-03-01", "2020-09-15", "2024-02-29")
            ],
        )

    ids = [1, sample.max_statement // 2, sample.max_statement]
    first = sample.talks[0] if sample.talks else Talks("none", ["none", "none"], "none")
    listed = [
        Page("/ (the list of negotiations)", "/"),
        Page(
            "/statements/{id} (random id)",
            f"/statements/{ids[1]}",
            script=[str(WRK_SCRIPTS / "random_id.lua"), "/statements/", str(sample.max_statement)],
            sample_paths=[f"/statements/{i}" for i in ids],
        ),
        Page("/healthz", "/healthz"),
    ]
    for talks in sample.talks:
        tag = f"[{talks.slug}]"
        matrix = resolve("matrix", talks.slug) or "/-"
        party, other = [*talks.parties, "none", "none"][:2]
        party_page = resolve("party", talks.slug, slug=party)
        demand_page = resolve("demand", talks.slug, slug=talks.demand)
        compare_page = resolve("compare", talks.slug, query=f"parties={party},{other}")
        listed += [
            page(f"{tag} matrix (render cache hit: fixed as_of)", f"{matrix}?as_of={as_of}"),
            missed(f"{tag} matrix", matrix),
            page(f"{tag} party", party_page),
            missed(f"{tag} party", party_page),
            page(f"{tag} demand", demand_page),
            missed(f"{tag} demand", demand_page),
            page(f"{tag} compare", compare_page),
            missed(f"{tag} compare", compare_page),
            page(f"{tag} timeline", resolve("timeline", talks.slug)),
            page(f"{tag} search", resolve("search", talks.slug, query=f"q={sample.word}")),
            page(
                f"{tag} /api matrix",
                resolve("api_matrix", talks.slug, query=f"as_of={as_of}", slug=talks.slug),
            ),
            page(
                f"{tag} CSV export",
                resolve("api_statements_csv", talks.slug),
                kind="download",
            ),
        ]
    first_matrix = resolve("matrix", first.slug) or "/-"
    pair = ",".join([*first.parties, "none", "none"][:2])
    first_compare = resolve("compare", first.slug, query=f"parties={pair}") or "/-?"
    return [
        *listed,
        Page("/search (every negotiation)", f"/search?q={sample.word}"),
        # The If-None-Match value is filled in from the page's own ETag before the run.
        Page("matrix conditional GET (304)", f"{first_matrix}?as_of={as_of}", expect=304),
        # The synthetic plan (28 points × 3 versions, app/synthetic_data.py) beside the parties.
        # Cache misses, a new date per request from the plan's first version on (before it the
        # page says the plan had no version yet).
        Page(
            "matrix with a plan (?with=, cache miss)",
            f"{first_matrix}?as_of={as_of}&with=bench-plan",
            script=misses(f"{first_matrix}?with=bench-plan", PLAN_START),
            sample_paths=[
                f"{first_matrix}?as_of={d}&with=bench-plan" for d in (as_of, "2024-06-30")
            ],
        ),
        # The same plan beside two parties on the compare page, with each one's gap to it.
        Page(
            "compare with a plan (?with=, cache miss)",
            f"{first_compare}&as_of={as_of}&with=bench-plan",
            script=misses(f"{first_compare}&with=bench-plan", PLAN_START),
            sample_paths=[
                f"{first_compare}&as_of={d}&with=bench-plan" for d in (as_of, "2024-06-30")
            ],
        ),
        # Issue 19 item 4: the matrix as the tracker showed it at the end of a past day, read
        # from statement_record (one probe per cell that skips later versions in the index).
        Page(
            "matrix as recorded (?recorded=)",
            f"{first_matrix}?recorded={RECORDED_DAY}",
            sample_paths=[f"{first_matrix}?recorded={d}" for d in (RECORDED_DAY, "2019-06-30")],
        ),
        Page("CSV export (all statements)", CSV_CANDIDATES[0], kind="download"),
        # Last: every save adds a statement, which changes the data version and the export.
        Page("statement save (POST + CSRF + revision)", "/statements/new", kind="save"),
    ]


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class Result:
    page: str
    data: str
    connections: int | str = ""
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    queries: float | None = None
    rss_mb: float | None = None
    notes: list[str] = field(default_factory=list)

    def row(self) -> str:
        def num(value: float | None, fmt: str) -> str:
            return "" if value is None else format(value, fmt)

        return (
            f"| {self.page} | {self.data} | {self.connections} | {num(self.rps, ',.0f')} | "
            f"{num(self.p50, '.2f')} | {num(self.p99, '.2f')} | {num(self.queries, '.1f')} | "
            f"{num(self.rss_mb, '.0f')} | {'; '.join(self.notes)} |"
        )


HEADER = (
    "| page | data | conns | req/s | p50 ms | p99 ms | queries/req | worker RSS MB | notes |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---|"
)


def parse_wrk(output: str) -> dict[str, Any]:
    def latency(pct: int) -> float | None:
        m = re.search(rf"^\s+{pct}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(m.group(1)) * UNIT_MS[m.group(2)] if m else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(rps.group(1)) if rps else None,
        "requests": int(requests.group(1)) if requests else 0,
        "p50": latency(50),
        "p99": latency(99),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


# ---------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def taskset(cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus] if cpus and shutil.which("taskset") else []


def worker_pids(master: int) -> list[int]:
    """uvicorn's worker processes (spawned children of the master, not its resource tracker)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == master and b"spawn_main" in cmdline:
            pids.append(int(entry.name))
    return sorted(pids)


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def workers(self) -> list[int]:
        return worker_pids(self.process.pid)

    def max_rss(self) -> float:
        return max((rss_mb(pid) for pid in self.workers), default=0.0)


@contextlib.contextmanager
def serve(
    command: list[str], env: dict[str, str], cwd: Path, port: int, probe: str, log: Path
) -> Iterator[Server]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}; see {log}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(server.base + probe, timeout=2).read()
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer {probe} within 60 s; see {log}")
            time.sleep(0.2)
        while len(server.workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        yield server
    finally:
        # Only the process we started, by its id: uvicorn's master stops its own workers.
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def http_get(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def cpu_busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class Options:
    statements: int
    parties: int
    demands: int
    sqlite: bool
    duration: int
    warmup: int
    connections: list[int]
    app_cpus: str | None
    wrk_cpus: str | None
    ceiling: bool
    out: Path
    data_dir: Path
    only: list[str]
    rounds: int


class Runner:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.results: list[Result] = []
        self.round = 1
        # Days stated the saves have used so far (save.lua): each save is a new day.
        self.save_days = 0
        label = f"{options.statements // 1000}k" if options.statements < 1_000_000 else ""
        label = label or f"{options.statements / 1_000_000:g}M"
        self.data = f"{label} {'SQLite' if options.sqlite else 'PostgreSQL'}"
        self.shape = f"{options.parties}x{options.demands}"
        if self.shape != "20x40":
            self.data += f" {self.shape}"
        self.raw = options.out / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.log = options.out / "machine.txt"

    def say(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # -- data ------------------------------------------------------------------------------

    def database_url(self) -> str:
        name = f"parley_bench_{self.o.statements}"
        if self.shape != "20x40":
            name += f"_{self.shape}"
        if self.o.sqlite:
            self.o.data_dir.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{self.o.data_dir / (name + '.db')}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def ensure_data(self) -> str:
        url = self.database_url()
        engine = make_engine(Settings(database_url=url))
        try:
            upgrade(engine)
            have = statement_count(engine)
            sample = self.sample_of(engine)
            if (have, sample.parties, sample.demands) != (
                self.o.statements,
                self.o.parties,
                self.o.demands,
            ):
                self.say(f"generating {self.o.statements:,} statements ({have:,} there now)…")
                report = generate(
                    engine,
                    self.o.statements,
                    replace=True,
                    parties=self.o.parties,
                    demands=self.o.demands,
                )
                self.say(str(report))
                self.note(f"generated: {report}")
            else:
                self.say(f"reusing {url} ({have:,} statements)")
            self.sample = self.sample_of(engine)
        finally:
            engine.dispose()
        return url

    def sample_of(self, engine: Engine) -> Sample:
        with engine.connect() as connection:
            slugs = list(connection.scalars(select(Party.slug).order_by(Party.id)))
            demands = list(connection.scalars(select(Demand.slug).order_by(Demand.id)))
            top = connection.scalar(select(Statement.id).order_by(Statement.id.desc()).limit(1))
            talks = []
            for negotiation_id, slug in connection.execute(
                select(Negotiation.id, Negotiation.slug).order_by(
                    Negotiation.display_order, Negotiation.id
                )
            ):
                taking_part = connection.scalars(
                    select(Party.slug)
                    .join(Participation, Participation.party_id == Party.id)
                    .where(Participation.negotiation_id == negotiation_id)
                    .order_by(Participation.display_order, Party.name)
                )
                first_demand = connection.scalar(
                    select(Demand.slug)
                    .where(Demand.negotiation_id == negotiation_id)
                    .order_by(Demand.display_order, Demand.id)
                    .limit(1)
                )
                talks.append(Talks(slug, list(taking_part), first_demand or "none"))
        return Sample(
            slugs=slugs or ["none", "none"],
            demand=demands[0] if demands else "none",
            max_statement=int(top or 1),
            parties=len(slugs),
            demands=len(demands),
            talks=talks,
        )

    def note(self, line: str) -> None:
        with self.log.open("a") as f:
            f.write(line + "\n")

    # -- queries per request ----------------------------------------------------------------

    def count_queries(self, url: str, page_list: list[Page]) -> dict[str, float]:
        """Statements the app sends per request, counted by a SQLAlchemy event listener on an
        in-process app (Starlette's TestClient) over the same database: exact, no app change.
        """
        from fastapi.testclient import TestClient

        from app.main import create_app

        app = create_app(Settings(database_url=url))
        sent: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # Transaction control is left out (the app's explicit BEGIN on SQLite), as in the
            # tests' QueryLog, so both databases count the same queries.
            if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
                sent.append(statement)

        event.listen(app.state.engine, "before_cursor_execute", record)
        counts: dict[str, float] = {}
        with TestClient(app) as client:
            for page in page_list:
                if page.kind != "wrk":
                    continue
                paths = page.sample_paths or [page.path]
                # Warm caches and the first connection; a 304 page is counted as a 304.
                first = client.get(paths[0], headers=page.headers)
                headers = dict(page.headers)
                if page.expect == 304 and first.headers.get("etag"):
                    headers["If-None-Match"] = first.headers["etag"]
                # With several sample paths (a cache miss per request), the warmed one is left
                # out: it is now a render-cache hit, and would halve a miss row's count.
                counted = paths[1:] or paths
                sent.clear()
                for path in counted:
                    client.get(path, headers=headers)
                counts[page.name] = len(sent) / len(counted)
        app.state.engine.dispose()
        return counts

    # -- wrk --------------------------------------------------------------------------------

    def wrk(
        self, label: str, base: str, page: Page, connections: int, seconds: int, offset: int = 0
    ) -> dict[str, Any]:
        threads = min(connections, 2)
        command = [*taskset(self.o.wrk_cpus), "wrk", f"-t{threads}", f"-c{connections}"]
        command += [f"-d{seconds}s", "--latency", "--timeout", "10s"]
        for name, value in page.headers.items():
            command += ["-H", f"{name}: {value}"]
        if page.script:
            script, *args = page.script
            if script.endswith("as_of_miss.lua"):
                args = [*args, str(offset), str(threads)]
            if script.endswith("save.lua"):
                # Fresh submission keys and fresh days stated for every run (save.lua).
                args = [*args, str(time.time_ns()), str(self.save_days)]
            command += ["-s", script, base + "/", "--", *args]
        else:
            command.append(base + page.path)
        before = cpu_busy()
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        after = cpu_busy()
        busy = 100 * (after[0] - before[0]) / max(1, after[1] - before[1])
        name = f"{label} {page.name} c{connections} r{self.round}"
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower())
        (self.raw / f"{slug.strip('-')}.txt").write_text(" ".join(command) + "\n\n" + output)
        parsed = parse_wrk(output)
        if page.script and page.script[0].endswith("save.lua"):
            self.save_days += 2 * parsed["requests"] + 16
        parsed["busy"] = busy
        # The machine's 1-minute load average as the run ends: on 2 cores, above ~2.5 means
        # someone else was using the CPU too and the numbers are low.
        parsed["load"] = Path("/proc/loadavg").read_text().split()[0]
        return parsed

    def measure(
        self, label: str, server: Server, page: Page, queries: float | None, data: str
    ) -> None:
        # Warm up (pools, caches, JIT-free CPython's own caches) at the highest concurrency; the
        # cache-miss page warms on the fixed page instead so that it never pre-fills its dates.
        warm = page
        if page.script and page.kind != "save":
            warm = Page(page.name, page.path, headers=page.headers)
        if self.o.warmup:
            self.wrk(label + "-warmup", server.base, warm, max(self.o.connections), self.o.warmup)
        offset = 0
        for connections in self.o.connections:
            r = self.wrk(label, server.base, page, connections, self.o.duration, offset)
            result = Result(page.name, data, connections, r["rps"], r["p50"], r["p99"], queries)
            result.rss_mb = server.max_rss()
            result.notes.append(f"load {r['load']}")
            if r["bad"]:
                result.notes.append(f"{r['bad']} of {r['requests']} not 2xx/3xx")
            if r["errors"]:
                result.notes.append(f"socket errors: {r['errors']}")
            if page.script and page.script[0].endswith("as_of_miss.lua"):
                days = int(page.script[3])  # the script's own span (misses())
                if r["requests"] > days:
                    result.notes.append(
                        f"{r['requests']:,} requests > {days:,} distinct dates: some repeat"
                    )
                offset += r["requests"]
            self.results.append(result)
            self.say(result.row())

    # -- our app ----------------------------------------------------------------------------

    def run_app(self, url: str) -> None:
        self.url = url
        from app.main import create_app

        app = create_app(Settings(database_url=url))
        page_list = [p for p in pages(self.sample, route_resolver(app)) if self.selected(p)]
        app.state.engine.dispose()
        self.say("counting queries per request in-process…")
        queries = self.count_queries(url, page_list)
        port = free_port()
        command = [
            *taskset(self.o.app_cpus),
            str(Path(sys.executable).parent / "uvicorn"),
            "app.main:create_app",
            "--factory",
            "--workers", "2",
            "--loop", "uvloop",
            "--http", "httptools",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--no-access-log",
            "--log-level", "warning",
        ]  # fmt: skip
        # As the Dockerfile runs it: two malloc arenas, not one per threadpool thread.
        env = {"PARLEY_DATABASE_URL": url, "MALLOC_ARENA_MAX": "2"}
        with serve(command, env, ROOT, port, "/healthz", self.o.out / "uvicorn.log") as server:
            self.note(f"parley workers: {server.workers}, started RSS {server.max_rss():.0f} MB")
            for page in page_list:
                self.run_page(server, page, queries.get(page.name))

    def selected(self, page: Page) -> bool:
        return not self.o.only or any(word in page.name for word in self.o.only)

    def run_page(self, server: Server, page: Page, queries: float | None) -> None:
        if page.kind == "todo":
            status, _, _ = http_get(server.base + page.path)
            why = "not built yet" if status == 404 else "built, but no scenario in bench/run.py yet"
            self.results.append(Result(page.name, self.data, notes=[why]))
            self.say(self.results[-1].row())
            return
        if page.kind == "download":
            self.run_download(server, page)
            return
        if page.kind == "save":
            self.run_saves(server, page)
            return
        status, headers, body = http_get(server.base + page.path)
        if status == 404:
            self.results.append(Result(page.name, self.data, notes=["not built yet (404)"]))
            self.say(self.results[-1].row())
            return
        if page.expect == 304:
            etag = headers.get("ETag") or headers.get("etag")
            if not etag:
                self.results.append(Result(page.name, self.data, notes=["not built yet (no ETag)"]))
                self.say(self.results[-1].row())
                return
            page.headers = {"If-None-Match": etag}
            status, _, body = http_get(server.base + page.path, page.headers)
            if status != 304:
                note = f"not built yet (answers {status} to If-None-Match)"
                self.results.append(Result(page.name, self.data, notes=[note]))
                self.say(self.results[-1].row())
                return
        elif status != page.expect:
            self.results.append(
                Result(page.name, self.data, notes=[f"answers {status}, expected {page.expect}"])
            )
            self.say(self.results[-1].row())
            return
        before = len(self.results)
        self.measure("parley", server, page, queries, self.data)
        self.results[before].notes.insert(0, f"{len(body) / 1024:.0f} KB")

    def run_saves(self, server: Server, page: Page) -> None:
        """New statements posted through the editor's form by wrk, then checked in the database:
        one statement and one revision for every request answered 303."""
        url = self.url
        engine = make_engine(Settings(database_url=url))
        with Session(engine) as session:
            editor = session.scalar(select(User).where(User.email == BENCH_EDITOR))
            if editor is None:
                fields = UserFields(
                    email=BENCH_EDITOR, display_name="Bench editor", role=Role.EDITOR
                )
                create_user(session, fields, password=BENCH_PASSWORD, by=system_user(session))
                session.commit()
            source_url = session.scalar(select(Source.url).order_by(Source.id).limit(1))
            # A party and a demand of one negotiation it takes part in (statements must be).
            party_id, demand_id = session.execute(
                select(Participation.party_id, Demand.id)
                .join(Demand, Demand.negotiation_id == Participation.negotiation_id)
                .order_by(Participation.id, Demand.id)
                .limit(1)
            ).one()
        browser = Browser(server.base)
        _, login_page = browser.request("/login")
        credentials = {"email": BENCH_EDITOR, "password": BENCH_PASSWORD}
        status, _ = browser.request("/login", {**form_of(login_page), **credentials})
        _, new_page = browser.request("/statements/new")
        if status != 303:
            self.results.append(Result(page.name, self.data, notes=[f"login answered {status}"]))
            self.say(self.results[-1].row())
            return
        form = {
            **form_of(new_page),
            "party": str(party_id),
            "demand": str(demand_id),
            "stance": "1",
            "stated_on": "2025-06-30",
            "stated_on_precision": "day",
            "summary": "Saved by the benchmark: a new statement with its revision.",
            "source_url": source_url,
        }
        form.pop("submission_key", None)
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        page.script = [str(WRK_SCRIPTS / "save.lua"), cookie, urllib.parse.urlencode(form)]
        # Both counts in one statement: one snapshot.
        counts = select(
            select(func.count()).select_from(Statement).scalar_subquery(),
            select(func.count()).select_from(Revision).scalar_subquery(),
        )
        with Session(engine) as session:
            before = session.execute(counts).one()
        first = len(self.results)
        self.measure("parley", server, page, None, self.data)
        time.sleep(2)  # wrk has stopped, but the saves it left in flight are still committing
        with Session(engine) as session:
            after = session.execute(counts).one()
            added = after[0] - before[0], after[1] - before[1]
            # Bench data, not an editor's work: take it out again, so that the next run finds
            # the dataset it generated (and reuses it) and the pages measure the same data.
            made = select(Statement.id).where(Statement.submission_key.like("bench-%"))
            session.execute(
                delete(Revision).where(
                    Revision.entity_type == Statement.ENTITY_TYPE, Revision.entity_id.in_(made)
                )
            )
            session.execute(delete(Statement).where(Statement.id.in_(made)))
            session.commit()
        engine.dispose()
        self.results[first].notes.insert(
            0, f"all runs: {added[0]:,} statements, {added[1]:,} revisions written"
        )

    def run_download(self, server: Server, page: Page) -> None:
        """The CSV export: one full download, rows/s and the workers' peak RSS while it streams."""
        # A negotiation's export is asked for at its own URL; the whole export is looked for.
        candidates = [page.path] if page.path != CSV_CANDIDATES[0] else list(CSV_CANDIDATES)
        for path in candidates:
            # HEAD: a GET would stream the whole export just to learn that it exists (a GET-only
            # route answers HEAD with 405, a missing one with 404).
            status, _, _ = http_get(server.base + path, method="HEAD")
            if status != 404:
                break
        else:
            self.results.append(Result(page.name, self.data, notes=["not built yet (404)"]))
            self.say(self.results[-1].row())
            return
        peak = [server.max_rss()]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], server.max_rss())
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.perf_counter()
        rows = size = 0
        with urllib.request.urlopen(server.base + path, timeout=600) as response:
            status = response.status
            # Lines counted in 1 MB reads, not by iterating the response line by line: a Python
            # loop per row in the client could itself be the limit the export is measured at.
            ended_with_newline = True
            while chunk := response.read(1 << 20):
                rows += chunk.count(b"\n")
                size += len(chunk)
                ended_with_newline = chunk.endswith(b"\n")
            rows += 0 if ended_with_newline else 1
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        rows -= 1  # the header
        label = page.name if path == page.path and path not in CSV_CANDIDATES else None
        result = Result(label or f"{page.name} {path}", self.data, 1, rss_mb=peak[0])
        result.notes += [
            f"{rows:,} rows in {seconds:.1f}s = {rows / seconds:,.0f} rows/s",
            f"{size / 1e6:.0f} MB",
            f"status {status}",
            "RSS = peak while streaming",
        ]
        self.results.append(result)
        self.say(result.row())

    # -- the reference app ------------------------------------------------------------------

    def run_ceiling(self) -> None:
        venv = Path(os.environ.get("CEILING_VENV", "/tmp/ceilvenv"))
        if not (CEILING / "app.py").exists():
            self.results.append(Result("ceiling matrix", "", notes=[f"no {CEILING}"]))
            return
        if not (venv / "bin" / "uvicorn").exists():
            self.say(f"creating the reference app's venv at {venv} (its README)…")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin/pip"), "install", "-q", "-r", str(CEILING / "requirements.txt")],
                check=True,
            )
        dsn = self.ceiling_dsn()
        big = self.o.statements >= 1_000_000
        table = "statement_1m" if big else "statement"
        rows = 1_000_000 if big else 100_000
        engine = create_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            present = connection.scalar(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": table})
            count = connection.scalar(text(f"SELECT count(*) FROM {table}")) if present else 0
        engine.dispose()
        if count != rows:
            self.say("seeding the reference app's tables (its seed.py)…")
            seed = [str(venv / "bin/python"), "seed.py", *(["--big"] if big else [])]
            subprocess.run(seed, cwd=CEILING, env={**os.environ, "CEIL_DSN": dsn}, check=True)
        port = free_port()
        command = [
            *taskset(self.o.app_cpus),
            str(venv / "bin/uvicorn"),
            "app:app",
            "--workers", "2",
            "--loop", "uvloop",
            "--http", "httptools",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--no-access-log",
            "--log-level", "warning",
        ]  # fmt: skip
        env = {"CEIL_DSN": dsn, "MATRIX_TABLE": table}
        data = f"{rows // 1000}k" if rows < 1_000_000 else "1M"
        data += " PostgreSQL (its own tables)"
        log = self.o.out / "ceiling-uvicorn.log"
        with serve(command, env, CEILING, port, "/plaintext", log) as server:
            page = Page("reference app: matrix", "/matrix?as_of=2024-06-30")
            status, _, body = http_get(server.base + page.path)
            if status != 200:
                raise RuntimeError(f"the reference app answers {status} on {page.path}")
            queries = 1.0  # by construction: one LATERAL query per request (app.py)
            before = len(self.results)
            self.measure("ceiling", server, page, queries, data)
            self.results[before].notes.insert(0, f"{len(body) / 1024:.0f} KB, 10×10 cells")

    def ceiling_dsn(self) -> str:
        """The reference app's own database on the same server (created if missing)."""
        name = "parley_bench_ceiling"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if not connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(ADMIN_URL).set(database=name, drivername="postgresql")
        return url.render_as_string(hide_password=False)

    # -- all --------------------------------------------------------------------------------

    def machine(self, when: str) -> None:
        lines = [f"{when}: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"]
        lines.append(f"loadavg {when}: {Path('/proc/loadavg').read_text().strip()}")
        if when == "before":
            lines.append(
                f"cpus: {os.cpu_count()}; app cpus {self.o.app_cpus or 'all'}, "
                f"wrk cpus {self.o.wrk_cpus or 'all'}"
            )
            lines.append(f"duration {self.o.duration}s per run, warm-up {self.o.warmup}s")
        for line in lines:
            self.note(line)

    def run(self) -> str:
        self.machine("before")
        url = self.ensure_data()
        # Rounds alternate our app and the reference app, so that both see the same spells of
        # load from other work on the machine; the table shows the median round.
        for round_ in range(1, self.o.rounds + 1):
            self.round = round_
            self.run_app(url)
            if self.o.ceiling:
                self.run_ceiling()
        self.machine("after")
        results = combine(self.results)
        table = "\n".join([HEADER, *(r.row() for r in results), "", *verdicts(results)])
        (self.o.out / "results.md").write_text(
            table + "\n\n" + self.log.read_text().replace("\n", "  \n")
        )
        return table


def combine(results: list[Result]) -> list[Result]:
    """One row per (page, data, connections): the median round, with every round's req/s."""
    groups: dict[tuple[str, str, int | str], list[Result]] = {}
    for result in results:
        groups.setdefault((result.page, result.data, result.connections), []).append(result)
    combined = []
    for rounds in groups.values():
        measured = [r for r in rounds if r.rps is not None]
        if len(measured) < 2:
            combined.append(rounds[0])
            continue
        measured.sort(key=lambda r: r.rps or 0.0)
        median = measured[len(measured) // 2]
        each = " / ".join(f"{r.rps:,.0f}" for r in rounds if r.rps is not None)
        median.notes.append(f"rounds: {each} req/s")
        median.rss_mb = max(r.rss_mb or 0.0 for r in measured)
        combined.append(median)
    return combined


def verdicts(results: list[Result]) -> list[str]:
    """The comparison the issue's first target asks for, when both sides were measured."""

    def rps(prefix: str, connections: int) -> float | None:
        for r in results:
            if r.page.startswith(prefix) and r.connections == connections and r.rps:
                return r.rps
        return None

    reference = rps("reference app: matrix", 16)
    lines = []
    # Each negotiation's matrix (a cache miss on every request) against the reference app.
    for r in results:
        if "matrix (cache miss" in r.page and r.connections == 16 and r.rps and reference:
            which = r.page.split(" matrix (")[0]
            lines.append(
                f"{which} matrix cache miss at 16 connections: {r.rps:,.0f} req/s = "
                f"{100 * r.rps / reference:.0f}% of the reference app's `matrix` "
                f"({reference:,.0f} req/s) in the same run (target: at least 90%)."
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]) if __doc__ else None,
    )
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--parties", type=int, default=20, help="shape of generated data")
    parser.add_argument("--demands", type=int, default=40, help="(10 × 10 = the reference app)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--quick", action="store_true", help="3 s runs, 1 s warm-up")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per page")
    parser.add_argument("--connections", default="1,16")
    parser.add_argument("--rounds", type=int, default=1, help="repeat, report the median")
    parser.add_argument(
        "--app-cpus", default="0,1", help="taskset CPU list for the app servers ('' = no pinning)"
    )
    parser.add_argument("--wrk-cpus", default="1", help="taskset CPU list for wrk")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the reference app")
    parser.add_argument("--only", nargs="*", default=[], help="pages whose name contains …")
    parser.add_argument("--out", type=Path, help="default /tmp/parley-bench/results-<time>")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/parley-bench"))
    args = parser.parse_args(argv)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    options = Options(
        statements=args.statements,
        parties=args.parties,
        demands=args.demands,
        sqlite=args.sqlite,
        duration=3 if args.quick else args.duration,
        warmup=1 if args.quick else args.warmup,
        connections=[int(c) for c in args.connections.split(",")],
        app_cpus=args.app_cpus or None,
        wrk_cpus=args.wrk_cpus or None,
        ceiling=not args.no_ceiling,
        out=args.out or args.data_dir / f"results-{stamp}",
        data_dir=args.data_dir,
        only=args.only,
        rounds=args.rounds,
    )
    for tool in ("wrk",):
        if not shutil.which(tool):
            print(f"bench.run: {tool} is missing (apt-get install -y {tool})", file=sys.stderr)
            return 1
    table = Runner(options).run()
    print(table)
    print(f"\nraw wrk output and results.md in {options.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
