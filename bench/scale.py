"""Past one machine, on this machine: replica, two app servers, HAProxy and Varnish, under wrk.

    python -m bench.scale                 # about 3 minutes
    python -m bench.scale --seconds 5     # shorter wrk runs

Builds the topology of docs/scaling.md from the files in deploy/ (the same ones
`docker compose --profile scale up` uses): a throw-away database with the demo data on the
PostgreSQL at 127.0.0.1:5432 (the primary), a streaming replica of it made with pg_basebackup on
another port (bench/replica_cluster.py), two uvicorn app servers reading from it, HAProxy
(deploy/haproxy.cfg) in front of them and Varnish (deploy/varnish/parley.vcl, its backend line
pointed at the balancer) in front of that. Installs haproxy, varnish and wrk with apt-get when
missing. Then:

1. req/s at the front: one page in a spike (the cache answers), and the same page with the cache
   passed (a `parley_wrote` cookie that the app does not honour) with 2 app servers, then 1;
2. under wrk through the front (cache passed, so every request reaches an app server): kills one
   app server, stops the replica, starts it again, restarts the app server; a probe reads every
   50 ms and times the moves between replica and primary;
3. an editor saves a party's name through the front: the editor's next read shows it, and a
   reader through the cache sees it within the cache's max-age.

Prints the figures and the failures (must be 0; exits 1 otherwise). Everything it started is
stopped and removed at the end, on Ctrl-C and on failure too: processes by their pid, the
replica with pg_dropcluster, the database with DROP DATABASE.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.db import make_engine
from app.demo import load_demo
from app.migrate import upgrade
from app.models import Role
from app.settings import Settings
from app.users.service import UserFields, create_user, system_user
from bench.load_writes import form_of
from bench.replica_cluster import Cluster, missing_tools, streaming_replica
from bench.run import parse_wrk
from tests.conftest import create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PAGE = "/api/parties/ukraine"
PASSWORD = "scale bench password, long enough"
EDITOR = "scale-editor@example.org"
# Passed by the cache (its name), ignored by the app (not signed): every request reaches an app.
PASS_CACHE = {"Cookie": "parley_wrote=bench"}
READ_FROM = "x-parley-read-from"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_packages() -> None:
    missing = [p for p, tool in (("haproxy", "haproxy"), ("varnish", "varnishd"), ("wrk", "wrk"))
               if shutil.which(tool) is None]  # fmt: skip
    if missing:
        print(f"installing {' '.join(missing)}", flush=True)
        subprocess.run(["apt-get", "install", "-y", *missing], check=True, capture_output=True)


def wait_http(url: str, timeout: float = 30, **kwargs: Any) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2, **kwargs).status_code < 500:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.2)


class Processes:
    """What this run started, stopped by pid (their process groups) at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)


@dataclass
class Topology:
    processes: Processes
    replica: Cluster
    app_env: dict[str, str]
    app_ports: list[int]
    balancer: str
    front: str
    stats_socket: Path
    varnish_dir: Path

    def start_app(self, n: int) -> None:
        self.processes.start(
            f"app{n + 1}",
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.app_ports[n]),
             "--loop", "uvloop", "--http", "httptools", "--no-access-log"],
            self.app_env,
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{self.app_ports[n]}/healthz")

    def haproxy(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.stats_socket))
            s.sendall(command.encode() + b"\n")
            return s.recv(65536).decode()

    def cache_counts(self) -> tuple[int, int]:
        out = subprocess.run(
            ["varnishstat", "-n", str(self.varnish_dir), "-1",
             "-f", "MAIN.cache_hit", "-f", "MAIN.cache_miss", "-f", "MAIN.cache_hitpass",
             "-f", "MAIN.cache_hitmiss", "-f", "MAIN.s_pass"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        values = {line.split()[0]: int(line.split()[1]) for line in out.splitlines() if line}
        hits = values.get("MAIN.cache_hit", 0)
        return hits, sum(values.values()) - hits


@contextlib.contextmanager
def topology(logs: Path) -> Iterator[Topology]:
    processes = Processes(logs)
    with contextlib.ExitStack() as stack:
        stack.callback(processes.stop_all)
        url = create_postgres_database()
        stack.callback(drop_postgres_database, url)
        engine = make_engine(Settings(database_url=url))
        upgrade(engine)
        with Session(engine) as session, session.begin():
            load_demo(session)
            create_user(
                session,
                UserFields(email=EDITOR, display_name="Scale Editor", role=Role.EDITOR),
                password=PASSWORD,
                by=system_user(session),
            )
        engine.dispose()
        replica = stack.enter_context(streaming_replica())
        database = make_url(url).database
        app_ports = [free_port(), free_port()]
        balancer_port, front_port = free_port(), free_port()
        app_env = {
            "PARLEY_DATABASE_URL": url,
            "PARLEY_DATABASE_REPLICA_URLS": f"{replica.url}/{database}",
            "PARLEY_REPLICA_MAX_LAG_S": "5",
            "PARLEY_SECRET_KEY": secrets.token_urlsafe(48),
            "PARLEY_BASE_URL": f"http://127.0.0.1:{front_port}",
            "PARLEY_TRUSTED_PROXIES": "127.0.0.1",
            "MALLOC_ARENA_MAX": "2",
        }
        stats = logs / "haproxy.sock"
        varnish_dir = logs / "varnish"
        top = Topology(processes, replica, app_env, app_ports,
                       f"http://127.0.0.1:{balancer_port}", f"http://127.0.0.1:{front_port}",
                       stats, varnish_dir)  # fmt: skip
        for n in range(2):
            top.start_app(n)
        processes.start(
            "haproxy",
            ["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")],
            {
                "PARLEY_LISTEN": f"127.0.0.1:{balancer_port}",
                "PARLEY_APP1": f"127.0.0.1:{app_ports[0]}",
                "PARLEY_APP2": f"127.0.0.1:{app_ports[1]}",
                "PARLEY_STATS": str(stats),
            },
        )
        wait_http(f"{top.balancer}/healthz")
        # The deployed VCL, its backend line pointed at this run's balancer.
        vcl = (DEPLOY / "varnish" / "parley.vcl").read_text()
        vcl = vcl.replace('.host = "balancer";', '.host = "127.0.0.1";')
        vcl = vcl.replace('.port = "8080";', f'.port = "{balancer_port}";')
        (logs / "parley.vcl").write_text(vcl)
        processes.start(
            "varnish",
            ["varnishd", "-F", "-n", str(varnish_dir), "-a", f"127.0.0.1:{front_port}",
             "-f", str(logs / "parley.vcl"), "-s", "malloc,128m"],
        )  # fmt: skip
        wait_http(f"{top.front}/healthz")
        yield top


def wrk(url: str, seconds: float, connections: int = 16, headers: dict[str, str] | None = None
        ) -> dict[str, Any]:  # fmt: skip
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = parse_wrk(out)
    result["raw"] = out
    return result


@dataclass
class Probe:
    """Reads every 50 ms through the balancer: which database answered, and any failure.

    Each read is a URL not asked before (statements from another day), so neither the cache nor
    an app server's render cache answers it: every probe reaches a database."""

    base: str
    seen: list[tuple[float, int, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        http = requests.Session()
        day = dt.date(1950, 1, 1)
        while not self.stop.is_set():
            at = time.monotonic()
            day += dt.timedelta(days=1)
            try:
                url = f"{self.base}/api/statements?from={day.isoformat()}"
                response = http.get(url, timeout=10)
                self.seen.append((at, response.status_code, response.headers.get(READ_FROM, "")))
            except requests.RequestException as problem:
                self.seen.append((at, 0, type(problem).__name__))
            self.stop.wait(0.05)

    def first(self, after: float, where: str) -> float | None:
        for at, status, answered in self.seen:
            if at >= after and status == 200 and answered == where:
                return at - after
        return None


@dataclass
class LagWatch:
    """Every app server's /healthz twice a second: the largest replica lag any reported."""

    urls: list[str]
    max_lag: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            for url in self.urls:
                with contextlib.suppress(requests.RequestException, KeyError, ValueError):
                    for replica in requests.get(url, timeout=2).json().get("replicas", []):
                        if replica["lag_s"] is not None:
                            self.max_lag = max(self.max_lag, replica["lag_s"])
            self.stop.wait(0.5)


def editor_write(top: Topology, failures: list[str]) -> dict[str, Any]:
    """Log in and rename a party through the front; the editor's read, then readers'."""
    editor = requests.Session()
    page = editor.get(f"{top.front}/login", timeout=10).text
    fields = {**form_of(page), "email": EDITOR, "password": PASSWORD}
    login = editor.post(f"{top.front}/login", data=fields, allow_redirects=False, timeout=30)
    if login.status_code != 303:
        failures.append(f"editor login through the front: {login.status_code}")
        return {}
    party = editor.get(f"{top.front}{PAGE}", timeout=10).json()
    url = f"{top.front}/edit/parties/{party['id']}"
    name = f"Ukraine ({secrets.token_hex(3)})"
    # The reader's copy is in the cache before the write.
    requests.get(f"{top.front}{PAGE}", timeout=10)
    form = editor.get(url, timeout=10)
    saved = editor.post(url, data={**form_of(form.text), "name": name}, allow_redirects=False,
                        timeout=30)  # fmt: skip
    written = time.monotonic()
    if saved.status_code != 303:
        failures.append(f"editor save through the front: {saved.status_code}")
        return {}
    mine = editor.get(f"{top.front}{PAGE}", timeout=10)
    if mine.json()["name"] != name:
        failures.append("the editor did not see their own write at once")
    max_age = int(re.search(r"s-maxage=(\d+)", requests.get(
        f"{top.front}{PAGE}", timeout=10).headers["cache-control"]).group(1))  # type: ignore[union-attr]  # fmt: skip
    grace = 30  # stale-while-revalidate: one stale answer starts the refetch
    reader_saw = None
    while time.monotonic() - written < max_age + grace + 5:
        if requests.get(f"{top.front}{PAGE}", timeout=10).json()["name"] == name:
            reader_saw = time.monotonic() - written
            break
        time.sleep(0.25)
    if reader_saw is None or reader_saw > max_age + grace:
        failures.append(f"readers did not see the write within {max_age + grace} s")
    return {
        "editor_saw_own_write": mine.json()["name"] == name,
        "editor_read_from": mine.headers.get(READ_FROM, ""),
        "editor_cache": mine.headers.get("x-cache", ""),
        "reader_saw_after_s": reader_saw,
        "s_maxage": max_age,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8, help="each throughput run")
    args = parser.parse_args()
    problem = missing_tools()
    if problem:
        print(f"bench.scale: {problem}", file=sys.stderr)
        return 2
    ensure_packages()
    logs = Path(tempfile.mkdtemp(prefix="parley-scale-"))
    logs.chmod(0o755)  # varnishd reads the VCL as its own unprivileged user
    # SIGTERM as Ctrl-C: the with-blocks below stop and remove everything either way.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    failures: list[str] = []
    figures: dict[str, Any] = {}
    started = time.monotonic()
    with topology(logs) as top:
        print(f"topology up in {time.monotonic() - started:.0f} s (logs: {logs})", flush=True)
        front = f"{top.front}{PAGE}"
        requests.get(front, timeout=10)  # the cache's first copy
        hits0, misses0 = top.cache_counts()
        spike = wrk(front, args.seconds)
        hits1, misses1 = top.cache_counts()
        figures["spike"] = spike
        figures["hit_ratio"] = (hits1 - hits0) / max(1, hits1 - hits0 + misses1 - misses0)
        figures["apps2"] = wrk(front, args.seconds, headers=PASS_CACHE)
        top.haproxy("disable server app_servers/app2")
        figures["apps1"] = wrk(front, args.seconds, headers=PASS_CACHE)
        top.haproxy("enable server app_servers/app2")
        for name in ("spike", "apps2", "apps1"):
            run = figures[name]
            if run["bad"] or run["errors"]:
                failures.append(f"{name}: {run['bad']} non-2xx, {run['errors']}")

        # Failures survived, under load.
        probe = Probe(top.balancer)
        watch = LagWatch([f"http://127.0.0.1:{port}/healthz" for port in top.app_ports])
        threads = [threading.Thread(target=t.run, daemon=True) for t in (probe, watch)]
        for thread in threads:
            thread.start()
        load: dict[str, Any] = {}
        runner = threading.Thread(
            target=lambda: load.update(wrk(front, 34, connections=8, headers=PASS_CACHE))
        )
        runner.start()
        t0 = time.monotonic()
        time.sleep(4)
        top.processes.kill("app2")  # SIGKILL: no goodbye to the balancer
        time.sleep(4)
        stopped_at = time.monotonic()
        top.replica.ctl("stop")
        time.sleep(6)
        started_at = time.monotonic()
        top.replica.ctl("start")
        time.sleep(8)
        top.start_app(1)
        runner.join()
        probe.stop.set()
        watch.stop.set()
        for thread in threads:
            thread.join()
        figures["failover_load"] = load
        figures["to_primary_s"] = probe.first(stopped_at, "primary")
        figures["back_to_replica_s"] = probe.first(started_at, "replica")
        bad = [(round(at - t0, 2), code, what) for at, code, what in probe.seen if code != 200]
        figures["probe"] = (len(probe.seen), bad)
        figures["max_lag_s"] = watch.max_lag
        if load.get("bad") or load.get("errors"):
            failures.append(f"under failures: {load.get('bad')} non-2xx, {load.get('errors')}")
        if bad:
            failures.append(f"probe failures: {bad[:5]}")
        if figures["to_primary_s"] is None or figures["to_primary_s"] > 5:
            moved = figures["to_primary_s"]
            failures.append(f"reads did not move to the primary within 5 s: {moved}")
        if figures["back_to_replica_s"] is None:
            failures.append("reads never came back to the replica")

        figures["write"] = editor_write(top, failures)
    figures["total_s"] = time.monotonic() - started
    report(figures, failures)
    return 1 if failures else 0


def report(f: dict[str, Any], failures: list[str]) -> None:
    def rps(run: dict[str, Any]) -> str:
        return f"{run['rps']:,.0f} req/s (p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms)"

    print()
    print(f"| what (at the front, Varnish, wrk 2 threads × 16 connections, {PAGE}) | figure |")
    print("| --- | ---: |")
    print(f"| one page in a spike, cache answering | {rps(f['spike'])} |")
    print(f"| cache hit ratio during the spike | {f['hit_ratio']:.2%} |")
    print(f"| cache passed, 2 app servers (1 uvicorn worker each) | {rps(f['apps2'])} |")
    print(f"| cache passed, 1 app server | {rps(f['apps1'])} |")
    load = f["failover_load"]
    print(f"| under failures (8 connections, 34 s): requests, non-2xx | "
          f"{load.get('requests', 0):,}, {load.get('bad', 0)} |")  # fmt: skip
    print(f"| replica stopped → first read from the primary | {f['to_primary_s']} s |")
    print(f"| replica started → first read from it again | {f['back_to_replica_s']} s |")
    print(f"| probe reads (every 50 ms), failed | {f['probe'][0]}, {len(f['probe'][1])} |")
    print(f"| largest replica lag reported by /healthz | {f['max_lag_s']:.3f} s |")
    w = f.get("write", {})
    print(f"| editor sees own write at once (read from) | {w.get('editor_saw_own_write')} "
          f"({w.get('editor_read_from')}, cache {w.get('editor_cache')}) |")  # fmt: skip
    print(f"| readers through the cache see it after (s-maxage {w.get('s_maxage')}) | "
          f"{w.get('reader_saw_after_s') and round(w['reader_saw_after_s'], 1)} s |")  # fmt: skip
    print(f"| failures | {len(failures)} |")
    print(f"| harness run time | {f['total_s']:.0f} s |")
    for failure in failures:
        print(f"FAILURE: {failure}")


if __name__ == "__main__":
    sys.exit(main())
