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
from app.models import Negotiation, Participation, Party, Revision, Statement
from tests.factories import make_demand, make_negotiation, make_participation, make_statement


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


def test_negotiations_and_participations_make_the_round_trip(
    connection, session, migrated_engine: Engine
) -> None:
    # A second negotiation sharing the United States, which speaks in both.
    us = session.scalars(select(Party).where(Party.slug == "united-states")).one()
    sudan = make_negotiation(session, slug="sudan", title="Sudan talks")
    make_participation(session, party=us, negotiation=sudan)
    make_statement(session, party=us, demand=make_demand(session, negotiation=sudan))
    make_statement(session, party=us)
    session.commit()
    source = exported(connection)
    with migrated_engine.begin() as target:
        counts = import_lines(target, (json.dumps(r) for r in source))
    assert counts["negotiation"] == 2
    assert counts["participation"] == connection.scalar(
        select(func.count()).select_from(Participation)
    )
    with migrated_engine.connect() as target:
        assert exported(target) == source
        talks = target.scalars(select(Negotiation.slug).order_by(Negotiation.id)).all()
        assert talks == ["russia-ukraine", "sudan"]
        shared = target.scalar(
            select(func.count(func.distinct(Statement.negotiation_id))).where(
                Statement.party_id == us.id
            )
        )
        assert shared == 2


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
