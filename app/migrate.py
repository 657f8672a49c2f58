"""Alembic from code: `parley migrate`, start-up in demo mode, and the tests share this."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parent.parent


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What autogenerate compares: everything but the hand-made full-text search tables.

    SQLite's FTS5 table and its shadow tables are created by hand-written migrations; left in,
    autogenerate would propose dropping them.
    """
    return not (type_ == "table" and name is not None and name.startswith("statement_fts"))


def include_object_for(dialect: str) -> Callable[..., bool]:
    """Autogenerate's object filter for a database of this dialect."""

    def include_object(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        # Alembic cannot compare the matrix index's DESC expressions on SQLite: it skips the
        # model's side and would then propose dropping the database's. PostgreSQL compares it,
        # and a test reads its definition on both.
        return not (dialect == "sqlite" and type_ == "index" and name == "ix_statement_position")

    return include_object


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
