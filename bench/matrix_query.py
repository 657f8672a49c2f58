"""Time the matrix query (position of every party on every demand as of a date).

    python -m bench.matrix_query --statements 100000            # PostgreSQL and SQLite
    python -m bench.matrix_query --statements 1000000 --only postgresql

Creates throw-away databases (PostgreSQL: on PARLEY_BENCH_POSTGRES_URL's server), fills them
with app/synthetic_data.py, then renders nothing: it times `matrix_as_of` itself, counts its
queries, and prints the plan PostgreSQL chose.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
import uuid

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.db import make_engine
from app.matrix.queries import matrix_as_of
from app.migrate import upgrade
from app.models import Negotiation
from app.settings import Settings
from app.synthetic_data import generate, statement_count

ADMIN_URL = os.environ.get(
    "PARLEY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATES = [dt.date(2016, 6, 1), dt.date(2020, 1, 1), dt.date(2025, 12, 31), dt.date(2030, 1, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    args = parser.parse_args()
    print("| database | statements | cells | queries | p50 ms | p95 ms | max ms | load s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for backend in ["postgresql", "sqlite"]:
        if args.only and backend != args.only:
            continue
        url, cleanup = _database(backend)
        try:
            engine = make_engine(Settings(database_url=url))
            upgrade(engine)
            started = time.perf_counter()
            generate(engine, args.statements)
            loaded = time.perf_counter() - started
            if backend == "postgresql":
                with engine.begin() as c:
                    c.execute(text("ANALYZE"))
            _measure(engine, backend, args.runs, loaded)
            engine.dispose()
        finally:
            cleanup()


def _measure(engine, backend: str, runs: int, loaded: float) -> None:  # type: ignore[no-untyped-def]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    timings = []
    with Session(engine) as session:
        # The first negotiation's matrix (the generated data has two, sharing parties).
        negotiation = session.scalar(select(Negotiation.id).order_by(Negotiation.id).limit(1))
        assert negotiation is not None, "no generated data"
        matrix_as_of(session, negotiation, DATES[0])  # warm the caches
        for i in range(runs):
            as_of = DATES[i % len(DATES)]
            statements.clear()
            started = time.perf_counter()
            matrix = matrix_as_of(session, negotiation, as_of, since=as_of - dt.timedelta(days=365))
            timings.append((time.perf_counter() - started) * 1000)
            session.expunge_all()
        cells = sum(len(r.cells) for r in matrix.rows)
    timings.sort()
    print(
        f"| {backend} | {statement_count(engine):,} | {cells} | {len(statements)} | "
        f"{statistics.median(timings):.1f} | {timings[int(len(timings) * 0.95) - 1]:.1f} | "
        f"{timings[-1]:.1f} | {loaded:.0f} |",
        flush=True,
    )


def _database(backend: str):  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        directory = tempfile.TemporaryDirectory()
        return f"sqlite:///{directory.name}/bench.db", directory.cleanup
    name = f"parley_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False), drop


if __name__ == "__main__":
    main()
