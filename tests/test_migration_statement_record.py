"""Migration 0018 (issue 19, item 4): statement_record filled from the revision log gives the
very rows the write path keeps, for the demo and for a history of drafts, publications,
corrections, retractions and restorations; down, the table goes and the log stays whole."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

import app.revisions
from app.demo import load_demo
from app.migrate import downgrade, upgrade
from app.models import Party, Source
from app.statements.service import (
    RetractionFields,
    create_statement,
    publish_statement,
    restore_statement,
    retract_statement,
    update_statement,
)
from tests.factories import make_demand, make_negotiation, make_participation, make_user
from tests.matrix.test_recorded import fields

COLUMNS = (
    "statement_id, revision_id, valid_from, valid_to, party_id, demand_id, stance, stated_on,"
    " summary, partial, conditional"
)


def records(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(f"SELECT {COLUMNS} FROM statement_record ORDER BY statement_id, valid_from")
            )
        ]


def _history(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every write path call five hours after the one before: the spans cross days and nights.
    ticks = itertools.count()
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    monkeypatch.setattr(
        app.revisions, "utcnow", lambda: start + dt.timedelta(hours=5 * next(ticks))
    )
    talks = make_negotiation(session, slug="migrated", statements_need_review=True)
    author, reviewer = make_user(session), make_user(session)
    party = session.query(Party).filter_by(slug="ukraine").one()
    make_participation(session, party=party, negotiation=talks)
    demand = make_demand(session, negotiation=talks)
    source = session.query(Source).first()
    assert source is not None
    draft = create_statement(
        session, fields(), party=party, demand=demand, source=source, user=author
    )
    draft = update_statement(
        session,
        draft,
        fields(summary="Reworded before review."),
        party=party,
        demand=demand,
        source=source,
        form_version=draft.version,
        user=author,
    )
    draft = publish_statement(session, draft, form_version=draft.version, user=reviewer)
    draft = update_statement(
        session,
        draft,
        fields(summary="Corrected after publication."),
        party=party,
        demand=demand,
        source=source,
        form_version=draft.version,
        user=author,
    )
    draft = retract_statement(
        session, draft, RetractionFields(reason="Misread."), form_version=draft.version, user=author
    )
    restore_statement(session, draft, form_version=draft.version, user=author)
    # A draft never published: no record.
    create_statement(
        session,
        fields(summary="Still a draft."),
        party=party,
        demand=demand,
        source=source,
        user=author,
    )


def test_the_backfill_gives_the_write_paths_rows_and_goes_down(
    migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(migrated_engine) as session, session.begin():
        load_demo(session)
        _history(session, monkeypatch)
    kept = records(migrated_engine)
    # The demo's published statements, and three spans of the history's: published,
    # corrected, restored (the retraction is the gap between the last two).
    assert len([r for r in kept if r[3] is None]) == 19
    assert len(kept) == 18 + 3

    downgrade(migrated_engine, "0016")
    assert "statement_record" not in inspect(migrated_engine).get_table_names()
    upgrade(migrated_engine)
    assert records(migrated_engine) == kept
