"""Migration 0010 adds the proposal tables (with the demo's proposals on them) and takes them
away again, with their revisions, leaving everything else as it was."""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from app.demo import PROPOSALS, load_demo
from app.migrate import downgrade, upgrade
from app.models import Proposal, ProposalPoint, Revision, Statement

TABLES = {
    "proposal",
    "proposal_author",
    "proposal_version",
    "proposal_point",
    "point_demand",
    "point_lineage",
}


def test_proposals_come_and_go_with_their_revisions(empty_engine: Engine) -> None:
    # The demo is written by today's models, so at head (later migrations add columns they
    # carry); then down below 0010 and up again.
    upgrade(empty_engine)
    with Session(empty_engine) as session, session.begin():
        load_demo(session)
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(Proposal)) == len(PROPOSALS)
        points = session.scalar(select(func.count()).select_from(ProposalPoint))
        assert points == sum(len(p.points) for p in PROPOSALS)
        statements = session.scalar(select(func.count()).select_from(Statement))

    downgrade(empty_engine, "0009")
    assert not TABLES & set(inspect(empty_engine).get_table_names())
    with empty_engine.connect() as connection:
        left = connection.scalar(
            text("SELECT count(*) FROM revision WHERE entity_type LIKE 'proposal%'")
        )
        assert left == 0
        assert connection.scalar(text("SELECT count(*) FROM statement")) == statements

    upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= TABLES
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(Revision)) > 0
