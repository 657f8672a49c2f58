"""Migration 0020 (issue 17): statements answer a proposal version or point. Up and down with the
demo's reactions in it, on both databases; the statement table keeps every index, trigger, check
and foreign key it had (SQLite rebuilds it), word for word, apart from the new ones."""

from __future__ import annotations

from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.demo import STATEMENTS, load_demo
from app.migrate import alembic_config, downgrade, upgrade
from app.models import Statement
from app.search.queries import search

ANSWERING = sum(1 for s in STATEMENTS if s.answers)
REVISION = "0020"
# The revision before this one, read from the script: it holds when the chain is re-ordered.
BEFORE = ScriptDirectory.from_config(alembic_config()).get_revision(REVISION).down_revision
assert isinstance(BEFORE, str)
NEW_INDEXES = {"ix_statement_answers"}
NEW_CHECKS = {"ck_statement_answers_point_needs_version"}
NEW_KEYS = {"fk_statement_answers_version", "fk_statement_answers_point"}


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("statement")}


def _statement_schema(engine: Engine) -> dict[str, Any]:
    """What the statement table is made of, by name: its indexes, checks and foreign keys as
    reflected, and on SQLite each index's and trigger's own SQL (reflection loses DESC and the
    partial predicates; the SQL does not)."""
    found = inspect(engine)
    schema: dict[str, Any] = {
        "column": {
            c["name"]: (str(c["type"]), c["nullable"]) for c in found.get_columns("statement")
        },
        "index": {
            i["name"]: (tuple(i["column_names"]), bool(i["unique"]))
            for i in found.get_indexes("statement")
        },
        "check": {
            c["name"]: " ".join(c["sqltext"].split())
            for c in found.get_check_constraints("statement")
        },
        "key": {
            k["name"]: (
                tuple(k["constrained_columns"]),
                k["referred_table"],
                tuple(k["referred_columns"]),
                (k.get("options") or {}).get("ondelete"),
            )
            for k in found.get_foreign_keys("statement")
        },
        "unique": {
            u["name"]: tuple(u["column_names"]) for u in found.get_unique_constraints("statement")
        },
    }
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            schema["sql"] = {
                (kind, name): sql
                for kind, name, sql in connection.execute(
                    text(
                        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'statement'"
                        " AND type IN ('index', 'trigger') AND sql IS NOT NULL"
                    )
                )
            }
    return schema


def _without_new(schema: dict[str, Any]) -> dict[str, Any]:
    new = {
        "column": {"answers_version_id", "answers_point_id"},
        "index": NEW_INDEXES,
        "check": NEW_CHECKS,
        "key": NEW_KEYS,
        "unique": set(),
    }
    kept = {part: {k: v for k, v in schema[part].items() if k not in new[part]} for part in new}
    if "sql" in schema:
        kept["sql"] = {k: v for k, v in schema["sql"].items() if k[1] not in NEW_INDEXES}
    return kept


def test_the_statement_table_keeps_everything_it_had(empty_engine: Engine) -> None:
    upgrade(empty_engine, BEFORE)
    before = _statement_schema(empty_engine)
    # The ones that matter most, there to be kept (a reflection that saw nothing proves nothing).
    assert {"ix_statement_position", "ix_statement_draft", "uq_statement_id_negotiation"} <= set(
        before["index"]
    ) | set(before["unique"])
    assert {"ck_statement_stance_scale", "ck_statement_offer_of_two"} <= set(before["check"])
    assert {"fk_statement_alternative_to", "fk_statement_demand_id_demand"} <= set(before["key"])
    if empty_engine.dialect.name == "sqlite":
        assert ("trigger", "statement_fts_update") in before["sql"]
        assert "stated_on DESC" in before["sql"][("index", "ix_statement_position")]

    upgrade(empty_engine, REVISION)
    after = _statement_schema(empty_engine)
    assert _without_new(after) == before
    assert set(after["index"]) >= NEW_INDEXES
    assert set(after["check"]) >= NEW_CHECKS
    assert set(after["key"]) >= NEW_KEYS
    assert after["key"]["fk_statement_answers_version"][1:3] == (
        "proposal_version",
        ("id", "negotiation_id"),
    )

    with Session(empty_engine) as session, session.begin():
        load_demo(session)
    downgrade(empty_engine, BEFORE)
    assert _statement_schema(empty_engine) == before
    upgrade(empty_engine, REVISION)
    assert _statement_schema(empty_engine) == after


def test_reactions_come_and_go_and_the_rest_stays(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with Session(empty_engine) as session, session.begin():
        load_demo(session)
    with Session(empty_engine) as session:
        answering = session.scalar(
            select(func.count()).where(Statement.answers_point_id.is_not(None))
        )
        assert answering == ANSWERING == 6
        before = session.execute(select(Statement.id, Statement.summary).order_by(Statement.id))
        rows = [tuple(r) for r in before]

    downgrade(empty_engine, BEFORE)
    assert not {"answers_version_id", "answers_point_id"} & _columns(empty_engine)
    with empty_engine.connect() as connection:
        assert [
            tuple(r)
            for r in connection.execute(text("SELECT id, summary FROM statement ORDER BY id"))
        ] == rows

    upgrade(empty_engine)
    assert {"answers_version_id", "answers_point_id"} <= _columns(empty_engine)
    with Session(empty_engine) as session:
        # The columns come back empty; revisions still say what each answered.
        assert (
            session.scalar(select(func.count()).where(Statement.answers_version_id.is_not(None)))
            == 0
        )
        # Search still finds statements: SQLite's full-text triggers and index survived.
        assert search(session, "peacekeepers").hits
        session.execute(
            text("UPDATE statement SET summary = 'Zyzzyva talks.' WHERE id = :id"),
            {"id": rows[0][0]},
        )
        session.flush()
        assert [h.statement.id for h in search(session, "zyzzyva").hits] == [rows[0][0]]
        session.rollback()
