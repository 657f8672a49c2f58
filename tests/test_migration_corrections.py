"""Migration 0019 (issue 19 items 3 and 6): the statement_correction table, the latest
correction on the statement row and on its record (`?recorded=`), and the timeline's
publication index; down to 0018 and up again with the demo and a correction in it, on both
databases."""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.demo import load_demo
from app.migrate import downgrade, upgrade
from app.models import Demand, Party, Source, Statement, StatementCorrection, StatementRecord
from app.statements.service import CorrectionFields, StatementFields, update_statement
from app.users.service import system_user


def test_corrections_come_and_go_leaving_the_statements_as_they_were(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with Session(empty_engine) as session, session.begin():
        load_demo(session)
        statement = session.scalars(select(Statement).order_by(Statement.id)).first()
        assert statement is not None
        update_statement(
            session,
            statement,
            StatementFields(
                stance=-2 if statement.stance != -2 else 2,
                stated_on=statement.stated_on,
                stated_on_precision=statement.stated_on_precision,
                summary=statement.summary,
                quote=statement.quote,
                speaker=statement.speaker,
            ),
            party=session.get_one(Party, statement.party_id),
            demand=session.get_one(Demand, statement.demand_id),
            source=session.get_one(Source, statement.source_id),
            form_version=statement.version,
            user=system_user(session),
            correction=CorrectionFields(note="the stance was the other way round"),
        )
        corrected_id = statement.id
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(StatementCorrection)) == 1
        before = session.execute(
            select(Statement.id, Statement.stance, Statement.version).order_by(Statement.id)
        ).all()
        # The record readers are shown from now on carries the mark; the one before it not.
        marks = session.execute(
            select(StatementRecord.corrected_at.is_not(None), StatementRecord.correction_note)
            .where(StatementRecord.id == corrected_id)
            .order_by(StatementRecord.valid_from)
        ).all()
        records_before = session.scalar(select(func.count()).select_from(StatementRecord))
    assert [tuple(m) for m in marks] == [
        (False, None),
        (True, "the stance was the other way round"),
    ]
    indexes = {i["name"] for i in inspect(empty_engine).get_indexes("statement")}
    assert "ix_statement_published" in indexes

    downgrade(empty_engine, "0018")
    record_columns = {c["name"] for c in inspect(empty_engine).get_columns("statement_record")}
    assert not {"corrected_at", "correction_note"} & record_columns
    assert "statement_correction" not in inspect(empty_engine).get_table_names()
    columns = {c["name"] for c in inspect(empty_engine).get_columns("statement")}
    assert not {"corrected_at", "correction_note"} & columns
    with empty_engine.connect() as connection:
        after = connection.execute(
            text("SELECT id, stance, version FROM statement ORDER BY id")
        ).all()
        # The edit stays in the log, its note as the revision's reason.
        reason = connection.scalar(
            text(
                "SELECT reason FROM revision WHERE entity_type = 'statement' AND entity_id = :id"
                " ORDER BY id DESC LIMIT 1"
            ),
            {"id": corrected_id},
        )
        # The records stay (they are derived from the log, which keeps everything).
        records_after = connection.scalar(text("SELECT count(*) FROM statement_record"))
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert reason == "the stance was the other way round"
    assert records_after == records_before

    upgrade(empty_engine)
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(StatementCorrection)) == 0
        again = session.get_one(Statement, corrected_id)
        assert again.corrected_at is None
        assert session.scalar(select(func.count()).select_from(StatementRecord)) == records_before
        assert not session.scalar(
            select(func.count())
            .select_from(StatementRecord)
            .where(StatementRecord.corrected_at.is_not(None))
        )
