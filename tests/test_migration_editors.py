"""Migration 0002 (editors) goes down and up again without touching what 0001 made."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from app.migrate import downgrade, upgrade


def test_0002_downgrades_to_0001_and_keeps_the_matrix_index(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert "login_throttle" in inspect(empty_engine).get_table_names()
    downgrade(empty_engine, "0001")
    schema = inspect(empty_engine)
    assert "login_throttle" not in schema.get_table_names()
    assert "submission_key" not in {c["name"] for c in schema.get_columns("statement")}
    assert "ix_statement_position" in {i["name"] for i in schema.get_indexes("statement")}
    upgrade(empty_engine)
    indexes = {i["name"]: i for i in inspect(empty_engine).get_indexes("statement")}
    assert indexes["uq_statement_submission_key"]["unique"]
