"""Migration 0004 (second factor) goes down and up again and keeps the accounts it found."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from app.migrate import downgrade, upgrade


def test_0004_adds_the_second_factor_and_goes_back_without_losing_accounts(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0003")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO "user" (email, display_name, password_hash, role, is_active, '
                "session_version, version, created_at, updated_at) VALUES ('a@example.org', "
                "'A', NULL, 'admin', true, 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    upgrade(empty_engine)
    schema = inspect(empty_engine)
    columns = {c["name"]: c for c in schema.get_columns("user")}
    assert {"totp_secret", "totp_last_step", "totp_enabled_at"} <= set(columns)
    assert all(columns[n]["nullable"] for n in ("totp_secret", "totp_last_step"))
    assert "recovery_code" in schema.get_table_names()
    with empty_engine.connect() as connection:
        # An account from before has no second factor (an admin sets one up at next login).
        assert connection.execute(text('SELECT totp_secret FROM "user"')).all() == [(None,)]

    downgrade(empty_engine, "0003")
    schema = inspect(empty_engine)
    assert "recovery_code" not in schema.get_table_names()
    assert not {"totp_secret", "totp_last_step", "totp_enabled_at"} & {
        c["name"] for c in schema.get_columns("user")
    }
    with empty_engine.connect() as connection:
        assert connection.execute(text('SELECT email FROM "user"')).all() == [("a@example.org",)]
    upgrade(empty_engine)
