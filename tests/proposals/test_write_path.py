"""Proposals are written through the one write path, and bad input stores nothing and says why:
first the service's message, then the database's own refusal should the service be skipped."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.exceptions import FieldProblem
from app.models import (
    ChangeKind,
    PointDemand,
    PointLineage,
    Proposal,
    ProposalAuthor,
    ProposalPoint,
    ProposalVersion,
    Revision,
    VersionStatus,
)
from app.proposals.service import (
    LineageFields,
    PointDemandFields,
    PointFields,
    VersionFields,
    add_version,
)
from app.stances import Stance
from app.users.service import system_user
from tests.factories import make_demand, make_negotiation
from tests.proposals.plans import make_proposal, make_talks, make_version, points

TABLES = [Proposal, ProposalAuthor, ProposalVersion, ProposalPoint, PointDemand, PointLineage]


def stored(session: Session) -> dict[str, int]:
    counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}
    counts["revision"] = session.scalar(select(func.count()).select_from(Revision))
    return counts


def test_a_version_with_points_demands_and_lineage_is_stored_with_revisions(session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    first = make_version(session, talks, proposal, "First draft", points(talks, 3))
    second = make_version(session, talks, proposal, "Second draft", points(talks, 2, lineage=True))
    assert (first.position, first.previous_id) == (1, None)
    assert (second.position, second.previous_id) == (2, first.id)
    assert second.slug == "second-draft"
    point = session.scalar(
        select(ProposalPoint).where(
            ProposalPoint.version_id == second.id, ProposalPoint.number == "1"
        )
    )
    revision = session.scalar(
        select(Revision).where(
            Revision.entity_type == "proposal_point", Revision.entity_id == point.id
        )
    )
    assert revision.snapshot["demands"] == [
        {"demand_id": talks.demands[1].id, "stance": 2, "value": 600000.0, "unit": "troops"}
    ]
    (link,) = revision.snapshot["lineage"]
    assert link["change"] == "unchanged"
    proposal_revision = session.scalar(
        select(Revision).where(
            Revision.entity_type == "proposal", Revision.entity_id == proposal.id
        )
    )
    assert proposal_revision.snapshot["author_party_ids"] == [talks.mediator.id]
    assert (
        session.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.entity_type == "proposal_version")
        )
        >= 2
    )


def _refused(session: Session, field: str, words: str, write) -> None:  # type: ignore[no-untyped-def]
    before = stored(session)
    with pytest.raises(FieldProblem) as refusal:
        write()
    assert refusal.value.field == field
    assert words in refusal.value.message
    assert stored(session) == before


def test_duplicate_point_numbers_in_a_version_are_refused(session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    twice = [*points(talks, 3), PointFields(number="2", text="Another point two.")]
    _refused(
        session,
        "points[1].number",
        "point '2' appears 2 times",
        lambda: make_version(session, talks, proposal, "Draft", twice),
    )


def test_lineage_to_a_point_outside_the_previous_version_is_refused(session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    make_version(session, talks, proposal, "First", points(talks, 2))
    make_version(session, talks, proposal, "Second", [PointFields(number="9", text="New.")])
    # Point 1 is in the first version, not in the second (the one just before the third).
    stray = [
        PointFields(number="1", text="Back.", predecessors=[LineageFields(number="1")]),
    ]
    _refused(
        session,
        "points[0].predecessors",
        "'Second', the version before, has no point '1'",
        lambda: make_version(session, talks, proposal, "Third", stray),
    )


def test_a_first_version_has_no_predecessors(session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    _refused(
        session,
        "points[0].predecessors",
        "the first version has no version before it",
        lambda: make_version(session, talks, proposal, "First", points(talks, 1, lineage=True)),
    )


def test_a_demand_of_another_negotiation_is_refused(session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    elsewhere = make_demand(session, negotiation=make_negotiation(session))
    wrong = [
        PointFields(
            number="1",
            text="Elsewhere.",
            demands=[PointDemandFields(demand_id=elsewhere.id, stance=Stance.ACCEPTS)],
        )
    ]
    _refused(
        session,
        "points[0].demands",
        "belongs to other talks",
        lambda: make_version(session, talks, proposal, "Draft", wrong),
    )


def test_a_version_without_a_source_is_refused(session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    fields = VersionFields(
        label="Unsourced", issued_on=dt.date(2025, 11, 1), status=VersionStatus.REPORTED
    )
    _refused(
        session,
        "source_id",
        "a version needs its source",
        lambda: add_version(session, proposal, fields, user=system_user(session)),
    )


def test_an_author_not_taking_part_is_refused(session) -> None:
    talks = make_talks(session)
    _refused(
        session,
        "author_party_ids",
        "does not take part",
        lambda: make_proposal(session, talks, author_party_ids=[talks.outsider.id]),
    )


def test_no_authors_needs_a_disputed_authorship_note(session) -> None:
    talks = make_talks(session)
    _refused(
        session,
        "author_party_ids",
        "mark the authorship disputed",
        lambda: make_proposal(session, talks, author_party_ids=[]),
    )
    disputed = make_proposal(
        session, talks, author_party_ids=[], disputed_authorship="Said to be drafted in Moscow."
    )
    assert disputed.author_party_ids == []


def test_a_unit_without_a_value_is_refused_by_the_fields() -> None:
    with pytest.raises(ValidationError, match="a unit needs the value"):
        PointDemandFields(demand_id=1, stance=Stance.ACCEPTS, unit="troops")


def test_a_day_for_a_date_known_to_the_month_is_refused_by_the_fields() -> None:
    with pytest.raises(ValidationError, match="cannot name a day"):
        VersionFields(
            label="x",
            issued_on=dt.date(2025, 11, 20),
            issued_on_precision="month",
            status=VersionStatus.LEAKED,
            source_id=1,
        )


def test_a_version_dated_in_the_future_is_refused_by_the_fields() -> None:
    with pytest.raises(ValidationError, match="cannot be in the future"):
        VersionFields(
            label="x",
            issued_on=dt.date.today() + dt.timedelta(days=2),
            status=VersionStatus.LEAKED,
            source_id=1,
        )


# The database refuses the same when the service is skipped.


def _db_refuses(session: Session, model, **values) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert(model).values(**values))


@pytest.fixture
def two_versions(session):  # type: ignore[no-untyped-def]
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    first = make_version(session, talks, proposal, "First", points(talks, 2))
    second = make_version(session, talks, proposal, "Second", points(talks, 2, lineage=True))
    third = make_version(session, talks, proposal, "Third", points(talks, 1))
    return talks, proposal, first, second, third


def _point(session: Session, version: ProposalVersion, number: str) -> ProposalPoint:
    return session.scalar(
        select(ProposalPoint).where(
            ProposalPoint.version_id == version.id, ProposalPoint.number == number
        )
    )


def test_the_database_refuses_lineage_outside_the_previous_version(session, two_versions) -> None:
    _talks, _proposal, first, _second, third = two_versions
    point = _point(session, third, "1")
    # The first version's point, named by a point of the third: two versions back.
    _db_refuses(
        session,
        PointLineage,
        point_id=point.id,
        previous_version_id=first.id,
        predecessor_id=_point(session, first, "1").id,
        change=ChangeKind.CHANGED.value,
    )
    _db_refuses(
        session,
        PointLineage,
        point_id=point.id,
        previous_version_id=third.previous_id,
        predecessor_id=_point(session, first, "1").id,
        change=ChangeKind.CHANGED.value,
    )
    # The same row shape, pointing into the version just before, is taken: the refusals above
    # are the lineage keys', not some other column's.
    session.execute(
        insert(PointLineage).values(
            point_id=point.id,
            previous_version_id=third.previous_id,
            predecessor_id=_point(session, _second, "2").id,
            change=ChangeKind.MERGED.value,
        )
    )


def test_the_database_refuses_a_demand_of_other_talks(session, two_versions) -> None:
    talks, _proposal, first, _second, _third = two_versions
    other = make_negotiation(session)
    elsewhere = make_demand(session, negotiation=other)
    point = _point(session, first, "1")
    for negotiation_id in (talks.negotiation.id, other.id):
        _db_refuses(
            session,
            PointDemand,
            point_id=point.id,
            negotiation_id=negotiation_id,
            demand_id=elsewhere.id,
            stance=1,
        )


def test_the_database_refuses_duplicate_numbers_and_missing_sources(session, two_versions) -> None:
    talks, proposal, first, _second, _third = two_versions
    now = dt.datetime.now(dt.UTC)
    _db_refuses(
        session,
        ProposalPoint,
        version_id=first.id,
        negotiation_id=talks.negotiation.id,
        number="1",
        text="Twice.",
        position=99,
        version=1,
        created_at=now,
        updated_at=now,
    )
    _db_refuses(
        session,
        ProposalVersion,
        proposal_id=proposal.id,
        negotiation_id=talks.negotiation.id,
        previous_id=None,
        position=1,
        label="No source",
        slug="no-source",
        issued_on=dt.date(2025, 1, 1),
        issued_on_precision="day",
        status="leaked",
        source_id=None,
        version=1,
        created_at=now,
        updated_at=now,
    )


def test_the_database_refuses_an_author_not_taking_part(session, two_versions) -> None:
    talks, proposal, *_ = two_versions
    _db_refuses(
        session,
        ProposalAuthor,
        proposal_id=proposal.id,
        negotiation_id=talks.negotiation.id,
        party_id=talks.outsider.id,
        position=5,
    )


def test_the_database_keeps_one_chain_of_versions(session, two_versions) -> None:
    talks, proposal, first, *_ = two_versions
    now = dt.datetime.now(dt.UTC)
    # A second successor of the first version (a fork).
    _db_refuses(
        session,
        ProposalVersion,
        proposal_id=proposal.id,
        negotiation_id=talks.negotiation.id,
        previous_id=first.id,
        position=9,
        label="Fork",
        slug="fork",
        issued_on=dt.date(2025, 1, 1),
        issued_on_precision="day",
        status="leaked",
        source_id=talks.source.id,
        version=1,
        created_at=now,
        updated_at=now,
    )


def test_each_revision_holds_the_snapshot_the_stored_rows_give(session) -> None:
    from sqlalchemy.orm import selectinload

    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    make_version(session, talks, proposal, "First", points(talks, 2))
    second = make_version(session, talks, proposal, "Second", points(talks, 2, lineage=True))
    session.commit()
    session.expunge_all()
    stored_points = session.scalars(
        select(ProposalPoint)
        .where(ProposalPoint.version_id == second.id)
        .options(
            selectinload(ProposalPoint.demand_links), selectinload(ProposalPoint.predecessor_links)
        )
    ).all()
    reloaded = session.scalar(
        select(Proposal).where(Proposal.id == proposal.id).options(selectinload(Proposal.authors))
    )
    for row in [*stored_points, reloaded, session.get(ProposalVersion, second.id)]:
        revision = session.scalars(
            select(Revision).where(
                Revision.entity_type == row.ENTITY_TYPE, Revision.entity_id == row.id
            )
        ).one()
        assert revision.snapshot == row.snapshot()
