"""Migration 0016 (issue 20): the webhook tables come, hold an endpoint, its events, deliveries
and attempts over the demo's data, and go again leaving every other row as it was."""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.demo import load_demo
from app.migrate import downgrade, upgrade
from app.models import Revision, Statement, WebhookEndpoint
from app.statements.service import RetractionFields, retract_statement
from app.users.service import system_user

TABLES = {"webhook_endpoint", "webhook_event", "webhook_delivery", "webhook_attempt"}


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (
            connection.scalar(text("SELECT count(*) FROM statement")),
            connection.scalar(text("SELECT count(*) FROM revision")),
        )


def test_webhook_tables_come_and_go_with_the_demo_loaded(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with Session(empty_engine) as session, session.begin():
        load_demo(session)
        session.add(WebhookEndpoint(url="https://hooks.example.org/parley", secret="whsec_x"))
    with Session(empty_engine) as session, session.begin():
        # A write through the write path: its event and delivery land in the outbox.
        statement = session.scalars(
            select(Statement).where(Statement.is_public()).order_by(Statement.id).limit(1)
        ).one()
        retract_statement(
            session,
            statement,
            RetractionFields(reason="Misattributed."),
            form_version=statement.version,
            user=system_user(session),
        )
    with empty_engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM webhook_event")) == 1
        assert connection.scalar(text("SELECT kind FROM webhook_event")) == "retraction"
        assert connection.scalar(text("SELECT count(*) FROM webhook_delivery")) == 1
    before = counts(empty_engine)

    downgrade(empty_engine, "0015")
    assert not TABLES & set(inspect(empty_engine).get_table_names())
    assert counts(empty_engine) == before

    upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= TABLES
    assert counts(empty_engine) == before
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
        assert session.scalar(select(func.count()).select_from(Revision)) == before[1]
