"""Many editors saving one statement at once, and a state machine of every kind of write.

The fifty-way race needs real commits on real connections, so it makes (and drops) its own
database, as tests/test_edit_race.py does. The state machine runs inside the usual rolled-back
test transaction, on PostgreSQL and SQLite.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.dates import DatePrecision
from app.db import begin_for_writing, make_engine, make_sessionmaker
from app.exceptions import FieldProblem
from app.migrate import upgrade
from app.models import Demand, Party, Revision, Source, Statement
from app.revisions import StaleVersion
from app.settings import Settings
from app.stances import SCALE
from app.statements.service import (
    RetractionFields,
    StatementFields,
    create_statement,
    restore_statement,
    retract_statement,
    update_statement,
)
from app.users.service import system_user
from tests.conftest import create_postgres_database, drop_postgres_database, joined_sessionmaker
from tests.factories import make_demand, make_participation, make_party, make_source

EDITORS = 50


@pytest.fixture(params=["postgresql", "sqlite"])
def own_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    url = (
        create_postgres_database()
        if request.param == "postgresql"
        else f"sqlite:///{tmp_path / 'race.db'}"
    )
    # One connection per editor, so that all fifty really are in flight together.
    engine = make_engine(Settings(database_url=url), pool_size=EDITORS, max_overflow=0)
    upgrade(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def fields(summary: str) -> StatementFields:
    return StatementFields(
        stance=SCALE[0], stated_on=dt.date(2025, 3, 1), summary=summary, quote=None
    )


def test_fifty_saves_of_one_version_at_once_one_wins_and_forty_nine_are_told(
    own_engine: Engine,
) -> None:
    sessions = make_sessionmaker(own_engine)
    with sessions.begin() as session:
        user = system_user(session)
        party, demand, source = make_party(session), make_demand(session), make_source(session)
        make_participation(session, party=party)
        statement_id = create_statement(
            session, fields("Original"), party=party, demand=demand, source=source, user=user
        ).id

    start = threading.Barrier(EDITORS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def editor(n: int) -> None:
        with sessions() as session:
            start.wait(timeout=30)
            # As the app does for every post (on SQLite: BEGIN IMMEDIATE, so editors queue).
            begin_for_writing(session)
            statement = session.get(Statement, statement_id)
            assert statement is not None
            try:
                update_statement(
                    session,
                    statement,
                    fields(f"Editor {n}"),
                    party=session.get(Party, statement.party_id),
                    demand=session.get(Demand, statement.demand_id),
                    source=session.get(Source, statement.source_id),
                    form_version=1,
                    user=system_user(session),
                )
                session.commit()
                outcome = f"saved {n}"
            except StaleVersion:
                session.rollback()
                outcome = "stale"
            except Exception as error:  # any other outcome fails the test below
                session.rollback()
                outcome = f"error {error!r}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(outcomes) == EDITORS
    assert outcomes.count("stale") == EDITORS - 1, [o for o in outcomes if o != "stale"]
    assert len(saved) == 1
    with Session(own_engine) as session:
        stored = session.get(Statement, statement_id)
        assert stored is not None
        assert (stored.summary, stored.version) == (f"Editor {saved[0].split()[1]}", 2)
        revisions = list(
            session.scalars(
                select(Revision)
                .where(Revision.entity_type == "statement", Revision.entity_id == statement_id)
                .order_by(Revision.version)
            )
        )
        assert [r.version for r in revisions] == [1, 2]
        assert revisions[-1].snapshot == stored.snapshot()


# The suite runs a few short walks; bench/state_machine.py sets these for a long one.
EXAMPLES = int(os.environ.get("PARLEY_STATEFUL_EXAMPLES", "6"))
STEPS = int(os.environ.get("PARLEY_STATEFUL_STEPS", "20"))
# What the walks did, read by bench/state_machine.py: steps, invariant checks, writes accepted
# and refused (stale or already retracted).
TALLY = {"steps": 0, "checks": 0, "accepted": 0, "refused": 0}

summaries = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")


class WritePath(RuleBasedStateMachine):
    """Creates, edits, retractions, restores and stale edits through the statement service."""

    statements = Bundle("statements")

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.connection = engine.connect()
        self.transaction = self.connection.begin()
        self.sessions = joined_sessionmaker(self.connection)
        with self.sessions() as session:
            self.user_id = system_user(session).id
            party = make_party(session)
            make_participation(session, party=party)
            self.party_id = party.id
            self.demand_id = make_demand(session).id
            self.source_id = make_source(session).id
            session.commit()
            self.revisions_before = self._revision_count(session)
        self.accepted = 0  # writes the service accepted, each owing exactly one revision
        self.seen: dict[int, dict[str, Any]] = {}  # revision id → snapshot, to prove immutability
        self.mine: set[int] = set()  # statements this walk created (the demo data has others)

    def teardown(self) -> None:
        self.transaction.rollback()
        self.connection.close()

    def _revision_count(self, session: Session) -> int:
        return session.scalar(select(func.count()).select_from(Revision)) or 0

    def _write(self, action: Any) -> Any:
        """Run one write in its own committed session, as one request would."""
        with self.sessions() as session:
            try:
                result = action(session)
            except (StaleVersion, FieldProblem):
                session.rollback()
                TALLY["refused"] += 1
                return None
            session.commit()
            self.accepted += 1
            TALLY["accepted"] += 1
            return result

    def _refs(self, session: Session) -> dict[str, Any]:
        return {
            "party": session.get(Party, self.party_id),
            "demand": session.get(Demand, self.demand_id),
            "source": session.get(Source, self.source_id),
        }

    @rule(target=statements, summary=summaries)
    def create(self, summary: str) -> int:
        TALLY["steps"] += 1

        def action(session: Session) -> int:
            return create_statement(
                session, fields(summary), **self._refs(session), user=system_user(session)
            ).id

        created = self._write(action)
        assert created is not None
        self.mine.add(created)
        return int(created)

    @rule(statement_id=statements, summary=summaries, precision=st.sampled_from(["day", "year"]))
    def edit(self, statement_id: int, summary: str, precision: str) -> None:
        TALLY["steps"] += 1

        def action(session: Session) -> None:
            statement = session.get(Statement, statement_id)
            assert statement is not None
            stated_on = dt.date(2024, 1, 1) if precision == "year" else dt.date(2024, 5, 17)
            update_statement(
                session,
                statement,
                StatementFields(
                    stance=SCALE[-1],
                    stated_on=stated_on,
                    stated_on_precision=DatePrecision(precision),
                    summary=summary,
                ),
                **self._refs(session),
                form_version=statement.version,
                user=system_user(session),
            )

        self._write(action)

    @rule(statement_id=statements, behind=st.integers(min_value=1, max_value=3))
    def stale_edit(self, statement_id: int, behind: int) -> None:
        """A form loaded some versions ago (or from the future) must be refused, never saved."""
        TALLY["steps"] += 1
        with self.sessions() as session:
            statement = session.get(Statement, statement_id)
            assert statement is not None
            stored = statement.version
        for version in {stored - behind, stored + behind}:
            if version < 1:
                continue

            def action(session: Session, version: int = version) -> str:
                statement = session.get(Statement, statement_id)
                assert statement is not None
                update_statement(
                    session,
                    statement,
                    fields("stale wording"),
                    **self._refs(session),
                    form_version=version,
                    user=system_user(session),
                )
                return "saved"

            assert self._write(action) is None, f"a form at version {version} overwrote {stored}"

    @rule(statement_id=statements, reason=summaries)
    def retract(self, statement_id: int, reason: str) -> None:
        TALLY["steps"] += 1

        def action(session: Session) -> None:
            statement = session.get(Statement, statement_id)
            assert statement is not None
            retract_statement(
                session,
                statement,
                RetractionFields(reason=reason),
                form_version=statement.version,
                user=system_user(session),
            )

        self._write(action)

    @rule(statement_id=statements)
    def restore(self, statement_id: int) -> None:
        TALLY["steps"] += 1

        def action(session: Session) -> None:
            statement = session.get(Statement, statement_id)
            assert statement is not None
            if not statement.is_retracted:
                raise FieldProblem("restore", "not retracted")  # the route redirects: no write
            restore_statement(
                session, statement, form_version=statement.version, user=system_user(session)
            )

        self._write(action)

    @invariant()
    def revisions_are_append_only_and_match_the_rows(self) -> None:
        TALLY["checks"] += 1
        with self.sessions() as session:
            revisions = list(
                session.scalars(
                    select(Revision)
                    .where(Revision.entity_type == "statement", Revision.entity_id.in_(self.mine))
                    .order_by(Revision.entity_id, Revision.version)
                )
            )
            by_id = {r.id: r.snapshot for r in revisions}
            # Old revisions are never changed or removed.
            for revision_id, snapshot in self.seen.items():
                assert by_id.get(revision_id) == snapshot, f"revision {revision_id} changed"
            self.seen.update(by_id)
            # One revision per accepted write (the fixtures' parties etc. counted at the start).
            assert self._revision_count(session) == self.revisions_before + self.accepted
            latest: dict[int, list[Revision]] = {}
            for revision in revisions:
                latest.setdefault(revision.entity_id, []).append(revision)
            for statement in session.scalars(select(Statement).where(Statement.id.in_(self.mine))):
                versions = latest.get(statement.id, [])
                assert [r.version for r in versions] == list(range(1, statement.version + 1))
                assert versions[-1].snapshot == statement.snapshot()


def test_the_write_path_keeps_its_invariants_whatever_the_order_of_writes(engine: Engine) -> None:
    run_state_machine_as_test(
        lambda: WritePath(engine),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
