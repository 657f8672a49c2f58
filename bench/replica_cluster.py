"""A real streaming replica of the local PostgreSQL, for tests/test_replicas.py and bench.scale.

`streaming_replica()` makes a second cluster with Debian's `pg_createcluster` on a free port,
replaces its data with `pg_basebackup -R` from the primary (so it starts as a hot standby that
streams from it), starts it, and removes it at the end (`pg_dropcluster --stop`). No replication
slot is made: a replica that falls too far behind breaks rather than filling the primary's disk.

The primary must allow replication connections from 127.0.0.1 (wal_level replica, which is
PostgreSQL's default, and a `replication` line in pg_hba.conf). When pg_hba.conf has none, one
line (`host replication all 127.0.0.1/32 trust`, marked with a comment) is added, the primary
reloads its configuration, and the line is removed again at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

PRIMARY_HOST = "127.0.0.1"
MARKER = "# parley streaming replica"


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def ctl(self, action: str) -> None:
        """pg_ctlcluster start / stop / restart (fast shutdown: sessions are ended)."""
        _run("pg_ctlcluster", self.version, self.name, action)

    def running(self) -> None:
        """Started if stopped, and back to streaming, replay resumed if it was paused."""
        status = subprocess.run(
            ["pg_ctlcluster", self.version, self.name, "status"], capture_output=True
        )
        if status.returncode != 0:
            self.ctl("start")
        wait_until_streaming(self)
        engine = create_engine(f"{self.url}/postgres", isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_wal_replay_resume()"))
        finally:
            engine.dispose()


def missing_tools() -> str | None:
    """Why a replica cannot be made here, or None."""
    for tool in ("pg_createcluster", "pg_basebackup", "pg_dropcluster", "pg_ctlcluster"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian's postgresql-common makes the replica)"
    if os.geteuid() != 0:
        return "making a PostgreSQL cluster needs root (pg_createcluster)"
    return None


def _run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _primary(admin_url: str) -> tuple[str, str, bool]:
    """The primary's major version, its pg_hba.conf, and whether it allows replication from
    127.0.0.1 already."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            version = str(connection.scalar(text("SHOW server_version_num")))[:2]
            hba = str(connection.scalar(text("SHOW hba_file")))
            wal_level = connection.scalar(text("SHOW wal_level"))
            if wal_level not in ("replica", "logical"):
                raise RuntimeError(f"the primary's wal_level is {wal_level}: replicas need replica")
            allowed = bool(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_hba_file_rules WHERE type IN ('host', 'local')"
                        " AND 'replication' = ANY(database) AND error IS NULL"
                    )
                )
            )
    finally:
        engine.dispose()
    return version, hba, allowed


def _reload(admin_url: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_reload_conf()"))
    engine.dispose()


@contextlib.contextmanager
def _replication_allowed(admin_url: str, hba: str, allowed: bool, tag: str) -> Iterator[None]:
    if allowed:
        yield
        return
    path = Path(hba)
    line = f"host replication all 127.0.0.1/32 trust {MARKER} {tag}\n"
    with path.open("a") as out:
        out.write(line)
    _reload(admin_url)
    try:
        yield
    finally:
        kept = [row for row in path.read_text().splitlines(keepends=True) if row != line]
        path.write_text("".join(kept))
        _reload(admin_url)


@contextlib.contextmanager
def streaming_replica(
    admin_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    primary_port: int = 5432,
) -> Iterator[Cluster]:
    """A hot standby of the primary at `admin_url`, running on a free port until the block ends."""
    version, hba, allowed = _primary(admin_url)
    port = _free_port()
    cluster = Cluster(version, f"parley_replica_{port}", port)
    with _replication_allowed(admin_url, hba, allowed, cluster.name):
        _run("pg_createcluster", version, cluster.name, "-p", str(port))
        try:
            data = Path(f"/var/lib/postgresql/{version}/{cluster.name}")
            # Emptied, not removed: pg_basebackup fills an empty directory the cluster owns.
            for entry in data.iterdir():
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            _run(
                "runuser", "-u", "postgres", "--",
                "pg_basebackup", "-h", PRIMARY_HOST, "-p", str(primary_port), "-U", "postgres",
                "-D", str(data), "-R", "-X", "stream", "-c", "fast",
            )  # fmt: skip
            config = Path(f"/etc/postgresql/{version}/{cluster.name}")
            # Trust on loopback, as the primary here: the tests and the harness connect as
            # postgres without a password.
            (config / "pg_hba.conf").write_text(
                "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            )
            with (config / "postgresql.conf").open("a") as out:
                out.write(
                    "hot_standby = on\nmax_connections = 200\nlisten_addresses = '127.0.0.1'\n"
                )
            cluster.ctl("start")
            wait_until_streaming(cluster)
            yield cluster
        finally:
            subprocess.run(
                ["pg_dropcluster", "--stop", version, cluster.name],
                capture_output=True,
                timeout=120,
            )


def wait_until_streaming(cluster: Cluster, timeout: float = 30) -> None:
    engine = create_engine(f"{cluster.url}/postgres", isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as connection:
                    if connection.scalar(text("SELECT pg_is_in_recovery()")):
                        return
            except Exception:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)
    finally:
        engine.dispose()
