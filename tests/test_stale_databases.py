"""Interrupted runs leave databases behind; the next run drops only the ones nobody uses."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import (
    POSTGRES_ADMIN_URL,
    drop_postgres_database,
    drop_stale_test_databases,
)


def existing(names: list[str]) -> set[str]:
    admin = create_engine(POSTGRES_ADMIN_URL)
    with admin.connect() as connection:
        found = connection.scalars(
            text("SELECT datname FROM pg_database WHERE datname = ANY(:names)"), {"names": names}
        ).all()
    admin.dispose()
    return set(found)


def own_databases(*labels: str) -> dict[str, str]:
    """Test databases under a prefix of this test's own, so that sweeping them (at any age)
    cannot touch a database of another run sharing the server."""
    prefix = f"parley_test_sweep{uuid.uuid4().hex[:8]}_"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for label in labels:
            connection.execute(text(f'CREATE DATABASE "{prefix}{label}"'))
    admin.dispose()
    url = make_url(POSTGRES_ADMIN_URL)
    return {
        label: url.set(database=prefix + label).render_as_string(hide_password=False)
        for label in labels
    } | {"like": prefix.replace("_", r"\_") + "%"}


def test_a_stale_database_nobody_uses_is_dropped_and_one_in_use_is_kept() -> None:
    urls = own_databases("left", "busy")
    names = [make_url(urls[label]).database or "" for label in ("left", "busy")]
    busy = create_engine(urls["busy"])
    try:
        with busy.connect():
            dropped = drop_stale_test_databases(dt.timedelta(0), like=urls["like"])
            assert dropped == [names[0]]
            assert existing(names) == {names[1]}
    finally:
        busy.dispose()
        for label in ("left", "busy"):
            drop_postgres_database(urls[label])


def test_a_recent_database_is_kept_even_with_nobody_connected() -> None:
    urls = own_databases("recent")
    try:
        assert drop_stale_test_databases(like=urls["like"]) == []
        assert existing([make_url(urls["recent"]).database or ""])
    finally:
        drop_postgres_database(urls["recent"])
