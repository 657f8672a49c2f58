"""`parley export` then `parley import` reproduces every row and revision, across databases."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.dataset import ImportRefused, export_lines, import_lines, write_export
from app.models import Revision, Statement
from tests.factories import make_statement


def exported(connection) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    buffer = io.StringIO()
    write_export(connection, buffer)
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_export_then_import_reproduces_every_row_and_revision(
    connection, session, migrated_engine: Engine
) -> None:
    make_statement(session, quote="“Unicode” — and <markup>", speaker="Ä Speaker")
    session.commit()
    source = exported(connection)

    with migrated_engine.begin() as target:
        counts = import_lines(target, (json.dumps(r) for r in source))
    with migrated_engine.connect() as target:
        assert exported(target) == source
        assert target.scalar(select(func.count()).select_from(Revision)) == counts["revision"]
    assert counts["statement"] == connection.scalar(select(func.count()).select_from(Statement))


def test_new_rows_after_an_import_get_fresh_ids(connection, migrated_engine: Engine) -> None:
    source = exported(connection)
    with migrated_engine.begin() as target:
        import_lines(target, (json.dumps(r) for r in source))
    highest = max(r["row"]["id"] for r in source if r.get("table") == "statement")
    with Session(migrated_engine) as session, session.begin():
        assert make_statement(session).id > highest


def test_import_refuses_a_database_that_is_not_empty(connection) -> None:
    records = list(export_lines(connection))
    with pytest.raises(ImportRefused, match="not empty"):
        import_lines(connection, records)


def test_import_refuses_a_truncated_file_and_writes_nothing(
    connection, migrated_engine: Engine
) -> None:
    records = list(export_lines(connection))[:-5]
    with pytest.raises(ImportRefused, match="cut short"), migrated_engine.begin() as target:
        import_lines(target, records)
    with migrated_engine.connect() as target:
        assert target.scalar(select(func.count()).select_from(Revision)) == 0


def test_import_refuses_other_files(migrated_engine: Engine) -> None:
    with pytest.raises(ImportRefused, match="not a Parley export"), migrated_engine.begin() as t:
        import_lines(t, ['{"hello": "world"}'])
    with pytest.raises(ImportRefused, match="not JSON"), migrated_engine.begin() as t:
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
