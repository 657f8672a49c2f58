"""Migration 0008 (editors' rights per negotiation), up and down on both databases with data.

Rows are written as 0007 knew them (plain SQL: the models are already the new ones).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.migrate import downgrade, upgrade
from app.models import User

NOW = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)


def fill_0007(engine: Engine) -> None:
    """An editor, a deactivated editor, an admin, and two negotiations."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as connection:
        for n, email, role, active in [
            (1, "ed@example.org", "editor", True),
            (2, "gone@example.org", "editor", False),
            (3, "ad@example.org", "admin", True),
        ]:
            connection.execute(
                text(
                    'INSERT INTO "user" (id, email, display_name, role, is_active,'
                    " session_version, version, created_at, updated_at) VALUES (:id, :email,"
                    " :email, :role, :active, 1, 1, :created_at, :updated_at)"
                ),
                {"id": n, "email": email, "role": role, "active": active, **stamp},
            )
        for n, slug in [(1, "russia-ukraine"), (2, "sudan")]:
            connection.execute(
                text(
                    "INSERT INTO negotiation (id, slug, title, description, status,"
                    " display_order, version, created_at, updated_at) VALUES (:id, :slug, :slug,"
                    " '', 'active', :id, 1, :created_at, :updated_at)"
                ),
                {"id": n, "slug": slug, **stamp},
            )


def columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_0008_keeps_every_editors_rights_and_goes_down_only_without_losing_a_narrowing(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0007")
    fill_0007(empty_engine)
    upgrade(empty_engine)

    with Session(empty_engine) as session:
        users = {u.email: u for u in session.query(User)}
        # Nobody lost anything on upgrade: every editor edits every negotiation, as before.
        assert all(u.all_negotiations for u in users.values())
        assert users["ed@example.org"].may_edit_negotiation(1)
        assert users["ed@example.org"].may_edit_negotiation(2)
        assert users["ed@example.org"].granted == []

    with empty_engine.begin() as connection:
        # The grant's keys hold: no grant of talks that do not exist, nor twice.
        with pytest.raises(IntegrityError), connection.begin_nested():
            connection.execute(
                text("INSERT INTO user_negotiation (user_id, negotiation_id) VALUES (1, 99)")
            )
        connection.execute(
            text("INSERT INTO user_negotiation (user_id, negotiation_id) VALUES (1, 2)")
        )
        with pytest.raises(IntegrityError), connection.begin_nested():
            connection.execute(
                text("INSERT INTO user_negotiation (user_id, negotiation_id) VALUES (1, 2)")
            )
        connection.execute(text('UPDATE "user" SET all_negotiations = false WHERE id IN (1, 2)'))

    with Session(empty_engine) as session:
        editor = session.get_one(User, 1)
        assert editor.may_edit_negotiation(2) and not editor.may_edit_negotiation(1)
        # An admin edits every negotiation, whatever its flag says.
        admin = session.get_one(User, 3)
        admin.all_negotiations = False
        assert admin.may_edit_negotiation(1)

    # Going down would let the narrowed editor edit both talks again: refused, nothing changed.
    with pytest.raises(RuntimeError, match=r"ed@example\.org"):
        downgrade(empty_engine, "0007")
    assert "all_negotiations" in columns(empty_engine, "user")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT user_id FROM user_negotiation")).all() == [(1,)]

    # Granted both (the deactivated one does not count): down, and up again, with the data.
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO user_negotiation (user_id, negotiation_id) VALUES (1, 1)")
        )
    downgrade(empty_engine, "0007")
    assert "all_negotiations" not in columns(empty_engine, "user")
    assert "user_negotiation" not in inspect(empty_engine).get_table_names()
    with empty_engine.connect() as connection:
        assert connection.execute(text('SELECT count(*) FROM "user"')).scalar_one() == 3
    upgrade(empty_engine)
    with Session(empty_engine) as session:
        assert all(u.all_negotiations for u in session.query(User))
