"""Alembic from code: `parley migrate`, start-up in demo mode, and the tests share this."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

# The migrations ship inside the package (app/migrations), so an installed Parley migrates from
# any directory; alembic.ini at the checkout's root only serves the `alembic` command.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# Full-text search is a different structure on each database (a generated tsvector column `fts`
# with GIN indexes on PostgreSQL, FTS5 tables named statement_fts* on SQLite), written by hand
# in migration 0003 and read only by app/search/queries.py. It stays out of the models, where
# it would exist on one database and not the other; so autogenerate must not see it either,
# or it would propose dropping it.
FTS_COLUMN = "fts"
FTS_INDEXES = frozenset({"ix_statement_fts", "ix_source_fts"})


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What autogenerate compares: everything but the hand-made full-text search objects."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith("statement_fts")
    if type_ == "column":
        return name != FTS_COLUMN
    if type_ == "index":
        return name not in FTS_INDEXES
    return True


DESC_INDEXES = frozenset({"ix_statement_position", "ix_statement_record_position"})


def include_object_for(dialect: str) -> Callable[..., bool]:
    """Autogenerate's object filter for a database of this dialect."""

    def include_object(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        # Alembic cannot compare the matrix indexes' DESC expressions on SQLite: it skips the
        # model's side and would then propose dropping the database's. PostgreSQL compares
        # them, and a test reads their definitions on both.
        return not (dialect == "sqlite" and type_ == "index" and name in DESC_INDEXES)

    return include_object


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction for Alembic to run on.

    On SQLite, foreign keys are switched off first (outside the transaction: inside one SQLite
    ignores the pragma), as SQLite's own procedure for rebuilding a table asks: a batch
    migration drops and renames a table other tables refer to (demand, in 0007), and with the
    keys on, the drop alone fails. env.py checks every key before the commit instead, and the
    pooled connection gets its keys back whatever happens.

    On PostgreSQL the app's statement timeout (settings.statement_timeout_ms, a page's budget)
    is lifted for the migration's transaction only: rebuilding an index or moving data over a
    million statements takes far longer than a page may, and a migration cut off half-way
    would fail a deploy (it rolls back whole, but it never gets through).
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.commit()  # end the transaction connect() may have begun
            connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                "PRAGMA foreign_keys = OFF"
            )
        try:
            with connection.begin():
                if not sqlite:
                    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
                yield connection
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys = ON"
                )


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config()
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
