"""The benchmark generator leaves data the app itself could have written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.dates import DatePrecision, is_period_start
from app.db import make_engine
from app.matrix.queries import matrix_as_of
from app.migrate import upgrade
from app.models import (
    Demand,
    Negotiation,
    Participation,
    Party,
    Proposal,
    ProposalPoint,
    ProposalVersion,
    Revision,
    Source,
    Statement,
    StatementRecord,
    User,
)
from app.records import end_of_day
from app.settings import Settings
from app.synthetic_data import DatabaseNotEmpty, generate
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.matrix.test_recorded_replay import replay

STATEMENTS = 2_000


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "postgresql":
        url = create_postgres_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    engine = make_engine(Settings(database_url=url))
    try:
        upgrade(engine)
        generate(engine, STATEMENTS)
        yield engine
    finally:
        engine.dispose()
        if request.param == "postgresql":
            drop_postgres_database(url)


def test_generates_the_shape_asked_for(generated: Engine) -> None:
    with Session(generated) as session:
        assert session.scalar(select(func.count()).select_from(Statement)) == STATEMENTS
        assert session.scalar(select(func.count()).select_from(Party)) == 20
        assert session.scalar(select(func.count()).select_from(Demand)) == 40
        # Two negotiations of 20 demands each, sharing some parties (the mediators).
        assert session.scalar(select(func.count()).select_from(Negotiation)) == 2
        per_negotiation = session.execute(
            select(Demand.negotiation_id, func.count()).group_by(Demand.negotiation_id)
        ).all()
        assert sorted(n for _, n in per_negotiation) == [20, 20]
        shared = session.scalars(
            select(Participation.party_id)
            .group_by(Participation.party_id)
            .having(func.count() == 2)
        ).all()
        assert 0 < len(shared) < 20
        talks = session.scalars(select(func.distinct(Statement.negotiation_id))).all()
        assert set(talks) == {1, 2}
        sources = session.scalar(select(func.count(func.distinct(Statement.source_id))))
        assert sources is not None and sources < STATEMENTS / 5  # shared sources
        stances = session.scalars(select(func.distinct(Statement.stance))).all()
        assert set(stances) == {-2, -1, 0, 1, 2}


def test_every_row_has_exactly_one_create_revision(generated: Engine) -> None:
    with Session(generated) as session:
        for model in (
            User,
            Party,
            Negotiation,
            Participation,
            Demand,
            Source,
            Statement,
            Proposal,
            ProposalVersion,
            ProposalPoint,
        ):
            rows = session.scalar(select(func.count()).select_from(model))
            revisions = session.execute(
                select(func.count(), func.count(func.distinct(Revision.entity_id))).where(
                    Revision.entity_type == model.ENTITY_TYPE, Revision.action == "create"
                )
            ).one()
            assert tuple(revisions) == (rows, rows), model.__name__
        assert session.scalar(select(func.count()).select_from(Revision)) == sum(
            session.scalar(select(func.count()).select_from(m)) or 0
            for m in (
                User,
                Party,
                Negotiation,
                Participation,
                Demand,
                Source,
                Statement,
                Proposal,
                ProposalVersion,
                ProposalPoint,
            )
        )


def test_snapshots_match_what_the_model_would_record(generated: Engine) -> None:
    with Session(generated) as session:
        statements = session.scalars(select(Statement).order_by(Statement.id).limit(200)).all()
        snapshots = {
            entity_id: snapshot
            for entity_id, snapshot in session.execute(
                select(Revision.entity_id, Revision.snapshot).where(
                    Revision.entity_type == "statement", Revision.entity_id <= 200
                )
            )
        }
        for statement in statements:
            assert snapshots[statement.id] == statement.snapshot()
        for model in (Source, Negotiation, Participation, Demand):
            row = session.scalars(select(model).limit(1)).one()
            snapshot = session.scalar(
                select(Revision.snapshot).where(
                    Revision.entity_type == model.ENTITY_TYPE, Revision.entity_id == row.id
                )
            )
            assert snapshot == row.snapshot(), model.__name__


def test_the_plan_has_28_points_in_3_versions_that_the_app_reads(generated: Engine) -> None:
    from app.plans import plan_as_of
    from app.proposals.diff import version_diff
    from app.proposals.queries import proposal_by_slug, proposal_versions

    with Session(generated) as session:
        proposal = proposal_by_slug(session, 1, "bench-plan")
        assert proposal is not None
        versions = proposal_versions(session, proposal)
        assert [line.points for line in versions] == [28, 28, 28]
        # The benchmark's cache-miss dates for ?with= start at the first version (bench/run.py).
        from app.synthetic_data import PLAN_START

        assert versions[0].version.issued_on == PLAN_START
        diff = version_diff(session, versions, versions[0], versions[-1])
        assert [row.kind.value for row in diff.rows].count("changed") == 1
        assert len(diff.rows) == 28
        import datetime as dt

        plan = plan_as_of(session, 1, "bench-plan", dt.date(2030, 1, 1))
        assert plan.version.slug == "draft-3" and plan.terms
        from sqlalchemy.orm import selectinload

        loads = {
            Proposal: [selectinload(Proposal.authors)],
            ProposalVersion: [],
            ProposalPoint: [
                selectinload(ProposalPoint.demand_links),
                selectinload(ProposalPoint.predecessor_links),
            ],
        }
        for model, options in loads.items():
            row = session.scalars(
                select(model).options(*options).order_by(model.id.desc()).limit(1)
            ).one()
            snapshot = session.scalar(
                select(Revision.snapshot).where(
                    Revision.entity_type == model.ENTITY_TYPE, Revision.entity_id == row.id
                )
            )
            assert snapshot == row.snapshot(), model.__name__


def test_retracted_statements_have_reasons(generated: Engine) -> None:
    with Session(generated) as session:
        retracted = session.scalars(select(Statement).where(Statement.retracted_at.is_not(None)))
        retracted = list(retracted)
        assert 0 < len(retracted) < STATEMENTS * 0.05
        assert all(s.retraction_reason and s.retraction_reason.strip() for s in retracted)
        assert all(s.retracted_at is not None and s.retracted_at.tzinfo for s in retracted)


def test_dates_of_every_precision_are_period_starts(generated: Engine) -> None:
    with Session(generated) as session:
        rows = session.execute(select(Statement.stated_on, Statement.stated_on_precision)).all()
    assert {precision for _, precision in rows} == {p.value for p in DatePrecision}
    assert all(is_period_start(day, DatePrecision(precision)) for day, precision in rows)


def test_new_rows_get_fresh_ids_after_the_load(generated: Engine) -> None:
    if generated.dialect.name != "postgresql":
        pytest.skip("SQLite picks max(rowid) + 1 by itself")
    with generated.connect() as connection:
        next_id = connection.scalar(text("SELECT nextval('statement_id_seq')"))
        connection.rollback()
    assert next_id == STATEMENTS + 1


def test_refuses_a_database_that_holds_data(generated: Engine) -> None:
    with pytest.raises(DatabaseNotEmpty):
        generate(generated, 10)


def test_postgresql_keys_and_indexes_come_back_as_migrated() -> None:
    fresh, loaded = create_postgres_database(), create_postgres_database()
    try:
        definitions = []
        for url, statements in ((fresh, 0), (loaded, 50)):
            engine = make_engine(Settings(database_url=url))
            upgrade(engine)
            if statements:
                generate(engine, statements)
            with engine.connect() as connection:
                definitions.append(
                    connection.execute(
                        text(
                            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid),"
                            " convalidated FROM pg_constraint"
                            " WHERE connamespace = 'public'::regnamespace"
                            " UNION ALL SELECT tablename, indexname, indexdef, true"
                            " FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2, 3"
                        )
                    ).all()
                )
            engine.dispose()
        assert definitions[0] == definitions[1]
        assert any(name == "ix_statement_position" for _, name, _, _ in definitions[1])
    finally:
        drop_postgres_database(fresh)
        drop_postgres_database(loaded)


def test_postgresql_load_is_not_cut_short_by_the_app_statement_timeout() -> None:
    """The generator's statements run far longer than a page's: the app's timeout must not apply.

    A trigger that sleeps makes the COPY into `party` outlast a 100 ms statement timeout for
    sure, however idle or busy the machine is.
    """
    url = create_postgres_database()
    engine = make_engine(Settings(database_url=url, statement_timeout_ms=100))
    try:
        upgrade(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(0.3); RETURN NULL; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER slow_insert AFTER INSERT ON party "
                "FOR EACH STATEMENT EXECUTE FUNCTION slow_insert()"
            )
        generate(engine, 50)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM statement")) == 50
            # The app's own connections keep their timeout.
            assert connection.scalar(text("SHOW statement_timeout")) == "100ms"
    finally:
        engine.dispose()
        drop_postgres_database(url)


def test_the_record_is_what_the_log_says_readers_saw(generated: Engine) -> None:
    """statement_record (issue 19, ?recorded=): one open record per public statement, from its
    revision's time, so the recorded view of today is today's matrix."""
    with Session(generated) as session:
        public = session.scalar(
            select(func.count()).select_from(Statement).where(Statement.is_public())
        )
        assert session.scalar(select(func.count()).select_from(StatementRecord)) == public
        negotiation = session.scalars(select(Negotiation.id)).first()
        assert negotiation is not None
        today = dt.date.today()
        now = matrix_as_of(session, negotiation, today)
        recorded = matrix_as_of(session, negotiation, today, recorded=today)
        assert [c.statement for r in now.rows for c in r.cells] == [
            c.statement for r in recorded.rows for c in r.cells
        ]
        # And at the end of a day in the past, the log replayed gives the same cells.
        statements = list(session.scalars(select(Statement)))
        log = replay(session, statements)
        day = dt.date(2020, 6, 30)
        lines = log.lines(end_of_day(day), day)
        past = matrix_as_of(session, negotiation, day, recorded=day)
        for row in past.rows:
            for cell in row.cells:
                line = lines.get((cell.party.id, cell.demand.id))
                s = cell.statement
                got = None if s is None else (s.id, s.stance, s.stated_on, s.summary)
                assert got == (line[-1] if line else None)
