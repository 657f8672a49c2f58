"""Alembic environment: the models' metadata, our settings' URL, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from app.migrate import include_name, include_object_for
from app.models import Base
from app.settings import get_settings

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        include_object=include_object_for(connection.dialect.name),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # Migrations run with SQLite's foreign keys off (app/migrate.py): check them all
            # before the commit, so a migration cannot leave a dangling reference behind.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


def run_migrations_online() -> None:
    # Tests and `parley migrate` hand over their own connection; the alembic CLI does not.
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = create_engine(get_settings().sqlalchemy_url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        run_with(connection)


if context.is_offline_mode():
    context.configure(
        url=get_settings().sqlalchemy_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=get_settings().sqlalchemy_url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
