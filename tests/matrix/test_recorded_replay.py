"""`?recorded=` against a brute-force replay of the revision log (issue 19, item 4).

Hypothesis generates histories of create, edit (a correction, once published), publish, retract
and restore steps across days, in talks with review and talks without, through the real write
path on both databases; after each history, the matrices and position histories read from
statement_record at the end of several days must equal what a replay of every statement
revision says readers saw then. STEPS_PER_DATABASE steps run on each database: 10,000 a run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

import app.revisions
from app.dates import DatePrecision
from app.matrix.queries import matrix_as_of
from app.models import Demand, Negotiation, Party, Revision, Source, Statement, User
from app.positions import position_histories
from app.records import end_of_day
from app.stances import Stance
from app.statements.service import (
    CorrectionFields,
    RetractionFields,
    StatementFields,
    create_statement,
    publish_statement,
    restore_statement,
    retract_statement,
    update_statement,
)
from tests.factories import (
    make_demand,
    make_negotiation,
    make_participation,
    make_party,
    make_source,
    make_user,
)

EXAMPLES = 50
STEPS_PER_EXAMPLE = 100
STEPS_PER_DATABASE = EXAMPLES * STEPS_PER_EXAMPLE  # 5,000 here, 10,000 over both databases
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FIRST_STATED = dt.date(2025, 12, 1)
KINDS = ("create", "edit", "publish", "retract", "restore")

step = st.tuples(
    # Minutes since the step before: often none, often hours (many land on midnight exactly).
    st.sampled_from([0, 0, 1, 60, 240, 720, 1440, 2160, 4320]),
    st.sampled_from(KINDS),
    st.integers(0, 1_000),  # which statement, or which talks
    st.integers(-2, 2),  # stance
    st.integers(0, 40),  # stated on, days after FIRST_STATED
    st.integers(0, 3),  # party and demand choice
)
histories = st.lists(step, min_size=STEPS_PER_EXAMPLE, max_size=STEPS_PER_EXAMPLE)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class World:
    talks: list[Negotiation]
    parties: list[Party]
    demands: dict[int, list[Demand]]
    source: Source
    author: User
    reviewer: User
    statements: list[Statement] = field(default_factory=list)


@pytest.fixture
def world(session: Session) -> World:
    talks = [
        make_negotiation(session, slug="replay-reviewed", statements_need_review=True),
        make_negotiation(session, slug="replay-open", statements_need_review=False),
    ]
    parties = [make_party(session), make_party(session)]
    demands: dict[int, list[Demand]] = {}
    for negotiation in talks:
        for party in parties:
            make_participation(session, party=party, negotiation=negotiation)
        demands[negotiation.id] = [make_demand(session, negotiation=negotiation) for _ in range(2)]
    return World(
        talks, parties, demands, make_source(session), make_user(session), make_user(session)
    )


def _fields(stance: int, stated: int, summary: str) -> StatementFields:
    return StatementFields(
        stance=Stance(stance),
        stated_on=FIRST_STATED + dt.timedelta(days=stated),
        stated_on_precision=DatePrecision.DAY,
        summary=summary,
    )


def apply(
    session: Session,
    world: World,
    kind: str,
    pick: int,
    stance: int,
    stated: int,
    choice: int,
    n: int,
) -> None:
    """One step; a step that has nothing to act on (no draft to publish) creates instead, so
    every generated step writes a revision."""
    live = [s for s in world.statements if s.retracted_at is None]
    candidates = {
        "edit": world.statements,
        "publish": [s for s in world.statements if s.published_at is None],
        "retract": live,
        "restore": [s for s in world.statements if s.retracted_at is not None],
    }.get(kind, [])
    if kind == "create" or not candidates:
        negotiation = world.talks[pick % 2]
        statement = create_statement(
            session,
            _fields(stance, stated, f"Statement of step {n}."),
            party=world.parties[choice % 2],
            demand=world.demands[negotiation.id][choice // 2],
            source=world.source,
            user=world.author,
        )
        world.statements.append(statement)
        return
    target = candidates[pick % len(candidates)]
    index = world.statements.index(target)
    if kind == "edit":
        demands = world.demands[target.negotiation_id]
        changed = update_statement(
            session,
            target,
            _fields(stance, stated, f"Edited at step {n}."),
            party=world.parties[choice % 2],
            demand=demands[choice // 2],
            source=world.source,
            form_version=target.version,
            user=world.author,
            # A published statement's edit is a public correction (issue 19 item 3).
            correction=CorrectionFields(note=f"Corrected at step {n}."),
        )
    elif kind == "publish":
        changed = publish_statement(
            session, target, form_version=target.version, user=world.reviewer
        )
    elif kind == "retract":
        changed = retract_statement(
            session,
            target,
            RetractionFields(reason=f"Retracted at step {n}."),
            form_version=target.version,
            user=world.author,
        )
    else:
        changed = restore_statement(session, target, form_version=target.version, user=world.author)
    world.statements[index] = changed


Shown = tuple[int, int | None, dt.date, str]


@dataclass
class Replay:
    """Every statement revision of a history, read back by brute force."""

    revisions: dict[int, list[Revision]]
    published_at_creation: dict[int, bool]

    def visible(self, cutoff: dt.datetime) -> list[tuple[int, dict[str, Any]]]:
        """(statement id, snapshot) of every statement readers saw at `cutoff`."""
        seen = []
        for statement_id, revisions in self.revisions.items():
            before = [r for r in revisions if r.created_at < cutoff]
            if not before:
                continue
            if any(r.action == "publish" for r in revisions):
                published = any(r.action == "publish" for r in before)
            else:
                published = self.published_at_creation[statement_id]
            snapshot = before[-1].snapshot
            if published and snapshot["retracted_at"] is None:
                seen.append((statement_id, snapshot))
        return seen

    def lines(self, cutoff: dt.datetime, as_of: dt.date) -> dict[tuple[int, int], list[Shown]]:
        """Per (party, demand), the statements seen at `cutoff` stated by `as_of`, oldest
        first."""
        found: dict[tuple[int, int], list[Shown]] = defaultdict(list)
        for statement_id, snapshot in self.visible(cutoff):
            stated = dt.date.fromisoformat(snapshot["stated_on"])
            if stated <= as_of:
                found[snapshot["party_id"], snapshot["demand_id"]].append(
                    (statement_id, snapshot["stance"], stated, snapshot["summary"])
                )
        for line in found.values():
            line.sort(key=lambda shown: (shown[2], shown[0]))
        return found


def replay(session: Session, statements: list[Statement]) -> Replay:
    ids = [s.id for s in statements]
    rows = session.scalars(
        select(Revision)
        .where(Revision.entity_type == "statement", Revision.entity_id.in_(ids))
        .order_by(Revision.entity_id, Revision.version)
    )
    revisions = {key: list(group) for key, group in groupby(rows, key=lambda r: r.entity_id)}
    published = {
        statement_id: at is not None
        for statement_id, at in session.execute(
            select(Statement.id, Statement.published_at).where(Statement.id.in_(ids))
        )
    }
    return Replay(revisions, published)


def check(session: Session, world: World, clock: Clock) -> None:
    log = replay(session, world.statements)
    last_day = clock.now.date()
    days = {START.date() - dt.timedelta(days=1), START.date(), last_day}
    span = (last_day - START.date()).days
    days |= {START.date() + dt.timedelta(days=span * k // 4) for k in range(1, 4)}
    for day in sorted(days):
        cutoff = end_of_day(day)
        for as_of in (FIRST_STATED + dt.timedelta(days=20), FIRST_STATED + dt.timedelta(days=60)):
            lines = log.lines(cutoff, as_of)
            for negotiation in world.talks:
                matrix = matrix_as_of(session, negotiation.id, as_of, recorded=day)
                for row in matrix.rows:
                    for cell in row.cells:
                        line = lines.get((cell.party.id, cell.demand.id))
                        expected = line[-1] if line else None
                        s = cell.statement
                        got = None if s is None else (s.id, s.stance, s.stated_on, s.summary)
                        assert got == expected, (day, as_of, cell.party.id, cell.demand.id)
            entries = position_histories(
                session,
                as_of,
                party_ids=[p.id for p in world.parties],
                demand_ids=[d.id for ds in world.demands.values() for d in ds],
                per_line=3,
                recorded=cutoff,
            )
            got_lines: dict[tuple[int, int], list[Shown]] = defaultdict(list)
            for entry in entries:
                s = entry.statement
                got_lines[s.party_id, s.demand_id].append((s.id, s.stance, s.stated_on, s.summary))
            assert dict(got_lines) == {key: line[-3:] for key, line in lines.items()}, (day, as_of)


def test_recorded_equals_a_replay_of_the_log(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = {"steps": 0, "examples": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(history=histories)
    def run(history: list[tuple[int, str, int, int, int, int]]) -> None:
        clock = Clock()
        monkeypatch.setattr(app.revisions, "utcnow", clock)
        world.statements = []
        savepoint = session.begin_nested()
        try:
            for n, (minutes, kind, pick, stance, stated, choice) in enumerate(history):
                clock.now += dt.timedelta(minutes=minutes)
                apply(session, world, kind, pick, stance, stated, choice, n)
                done["steps"] += 1
            check(session, world, clock)
            done["examples"] += 1
        finally:
            savepoint.rollback()

    run()
    assert done["examples"] == EXAMPLES
    assert done["steps"] == STEPS_PER_DATABASE
