"""`parley export` then `parley import` reproduces every row and revision, across databases."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.dataset import ImportRefused, export_lines, import_lines, write_export
from app.db import make_engine
from app.migrate import upgrade
from app.models import Revision, Statement
from app.settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_statement


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_target(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    url = (
        create_postgres_database()
        if request.param == "postgresql"
        else f"sqlite:///{tmp_path / 'target.db'}"
    )
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def exported(connection) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    buffer = io.StringIO()
    write_export(connection, buffer)
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_export_then_import_reproduces_every_row_and_revision(
    connection, session, empty_target: Engine
) -> None:
    make_statement(session, quote="“Unicode” — and <markup>", speaker="Ä Speaker")
    session.commit()
    source = exported(connection)

    with empty_target.begin() as target:
        counts = import_lines(target, (json.dumps(r) for r in source))
    with empty_target.connect() as target:
        assert exported(target) == source
        assert target.scalar(select(func.count()).select_from(Revision)) == counts["revision"]
    assert counts["statement"] == connection.scalar(select(func.count()).select_from(Statement))


def test_new_rows_after_an_import_get_fresh_ids(connection, empty_target: Engine) -> None:
    source = exported(connection)
    with empty_target.begin() as target:
        import_lines(target, (json.dumps(r) for r in source))
    highest = max(r["row"]["id"] for r in source if r.get("table") == "statement")
    with Session(empty_target) as session, session.begin():
        assert make_statement(session).id > highest


def test_import_refuses_a_database_that_is_not_empty(connection) -> None:
    records = list(export_lines(connection))
    with pytest.raises(ImportRefused, match="not empty"):
        import_lines(connection, records)


def test_import_refuses_a_truncated_file_and_writes_nothing(
    connection, empty_target: Engine
) -> None:
    records = list(export_lines(connection))[:-5]
    with pytest.raises(ImportRefused, match="cut short"), empty_target.begin() as target:
        import_lines(target, records)
    with empty_target.connect() as target:
        assert target.scalar(select(func.count()).select_from(Revision)) == 0


def test_import_refuses_other_files(empty_target: Engine) -> None:
    with pytest.raises(ImportRefused, match="not a Parley export"), empty_target.begin() as t:
        import_lines(t, ['{"hello": "world"}'])
    with pytest.raises(ImportRefused, match="not JSON"), empty_target.begin() as t:
        import_lines(t, ["this is not json"])


def test_the_command_line_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env_for = {
        name: {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / name}.db", "PATH": ""}
        for name in ("source", "target")
    }

    def parley(name: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=env_for[name],
            capture_output=True,
            text=True,
            check=False,
        )

    assert parley("source", "demo").returncode == 0
    dump = tmp_path / "dump.jsonl"
    exported_run = parley("source", "export", "--output", str(dump))
    assert exported_run.returncode == 0, exported_run.stderr
    assert "18 statement" in exported_run.stderr
    assert parley("target", "migrate").returncode == 0
    imported = parley("target", "import", str(dump))
    assert imported.returncode == 0, imported.stderr
    again = parley("target", "import", str(dump))
    assert again.returncode == 1
    assert "nothing was written" in again.stderr
