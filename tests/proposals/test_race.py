"""Two editors adding a version to one proposal at once: one wins, the other is told, and
nothing of the loser's is stored. Real connections on a database of the test's own."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.demo import load_demo
from app.exceptions import FieldProblem
from app.models import ProposalPoint, ProposalVersion
from tests.proposals.plans import make_proposal, make_talks, make_version, points


def test_the_second_of_two_simultaneous_versions_is_refused_cleanly(migrated_engine) -> None:
    with Session(migrated_engine, expire_on_commit=False) as setup, setup.begin():
        load_demo(setup)
        talks = make_talks(setup)
        proposal = make_proposal(setup, talks)
    fired = []

    def the_other_editor_first(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().startswith("INSERT INTO proposal_version") and not fired:
            fired.append(True)
            with Session(migrated_engine) as other, other.begin():
                make_version(other, talks, other.merge(proposal), "Theirs", points(talks, 2))

    event.listen(migrated_engine, "before_cursor_execute", the_other_editor_first)
    try:
        # PostgreSQL: the unique (proposal, position) refuses the second insert, and the
        # service says why. SQLite: its writers take turns, and the one whose snapshot is
        # stale is refused as "database is locked", which the app answers 503 (form kept).
        sqlite = migrated_engine.dialect.name == "sqlite"
        refusal = OperationalError if sqlite else FieldProblem
        words = "locked" if sqlite else "saved at the same moment"
        with Session(migrated_engine) as mine, mine.begin(), pytest.raises(refusal, match=words):
            make_version(mine, talks, mine.merge(proposal), "Mine", points(talks, 3))
    finally:
        event.remove(migrated_engine, "before_cursor_execute", the_other_editor_first)
    with Session(migrated_engine) as check:
        labels = check.scalars(
            select(ProposalVersion.label).where(ProposalVersion.proposal_id == proposal.id)
        ).all()
        assert labels == ["Theirs"]
        assert (
            check.scalar(
                select(func.count())
                .select_from(ProposalPoint)
                .join(ProposalVersion, ProposalVersion.id == ProposalPoint.version_id)
                .where(ProposalVersion.proposal_id == proposal.id)
            )
            == 2
        )
