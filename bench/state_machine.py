"""A long walk of the write-path state machine (tests/test_races.py) on a fresh database.

    python -m bench.state_machine                     # 600 walks of up to 20 steps on PostgreSQL
    python -m bench.state_machine --walks 50 --steps 200 --sqlite

The suite runs a few short walks; this runs over 10,000 steps (walks end early at random, so
600 walks of up to 20 gave 11,884) and prints what they did:
steps, invariant checks, writes accepted and refused, and the time taken. A failing invariant
raises with hypothesis's shrunk example.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from app.db import make_engine
from app.migrate import upgrade
from app.settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.test_races import TALLY, WritePath


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=600)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'walk.db'}" if args.sqlite else create_postgres_database()
        engine = make_engine(Settings(database_url=url))
        try:
            upgrade(engine)
            started = time.perf_counter()
            run_state_machine_as_test(
                lambda: WritePath(engine),
                settings=settings(
                    max_examples=args.walks,
                    stateful_step_count=args.steps,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                ),
            )
            took = time.perf_counter() - started
        finally:
            engine.dispose()
            if not args.sqlite:
                drop_postgres_database(url)
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"{database}: {TALLY['steps']} steps in {args.walks} walks, {took:.0f} s; "
        f"invariants checked {TALLY['checks']} times, all held; "
        f"writes accepted {TALLY['accepted']}, refused {TALLY['refused']}"
    )


if __name__ == "__main__":
    main()
