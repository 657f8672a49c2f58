"""Negotiations and who takes part: the service and the database refuse the same things.

A second negotiation shares the United States with the demo's talks (as it mediates most of
them); Russia takes part only in the demo's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.demands.service import DemandFields, create_demand, update_demand
from app.exceptions import AlreadyTaken, FieldProblem
from app.models import (
    Demand,
    Negotiation,
    Participation,
    ParticipationRole,
    Party,
    Revision,
    Statement,
)
from app.negotiations.service import (
    DEFAULT_SLUG,
    NegotiationFields,
    ParticipationFields,
    create_participation,
    update_negotiation,
    update_participation,
)
from app.statements.service import NotTakingPart, StatementFields, create_statement
from app.users.service import system_user
from tests.factories import (
    make_demand,
    make_negotiation,
    make_participation,
    make_source,
    make_statement,
)


def refused(session: Session, statement) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(statement)


def party(session: Session, slug: str) -> Party:
    found = session.scalar(select(Party).where(Party.slug == slug))
    assert found is not None
    return found


def demo_talks(session: Session) -> Negotiation:
    found = session.scalar(select(Negotiation).where(Negotiation.slug == DEFAULT_SLUG))
    assert found is not None
    return found


@pytest.fixture
def sudan(session: Session) -> Negotiation:
    """A second negotiation where the United States mediates and Russia has no part."""
    talks = make_negotiation(session, slug="sudan", title="Sudan talks")
    make_participation(
        session,
        party=party(session, "united-states"),
        negotiation=talks,
        role=ParticipationRole.MEDIATOR,
    )
    return talks


def fields(**overrides) -> StatementFields:  # type: ignore[no-untyped-def]
    values = {"stance": 1, "stated_on": dt.date(2025, 3, 4), "summary": "Says yes."}
    values.update(overrides)
    return StatementFields(**values)


def test_the_demo_is_one_negotiation_with_its_four_participants(session: Session) -> None:
    talks = demo_talks(session)
    roles = dict(
        session.execute(
            select(Party.slug, Participation.role)
            .join(Participation, Participation.party_id == Party.id)
            .where(Participation.negotiation_id == talks.id)
        ).all()
    )
    assert roles == {
        "russia": "party",
        "ukraine": "party",
        "united-states": "mediator",
        "european-allies": "guarantor",
    }
    assert session.scalar(select(Demand.id).where(Demand.negotiation_id != talks.id)) is None


def test_a_shared_party_speaks_in_both_negotiations(session: Session, sudan: Negotiation) -> None:
    ceasefire = make_demand(session, negotiation=sudan, slug="ceasefire")
    statement = make_statement(
        session, party=party(session, "united-states"), demand=ceasefire, take_part=False
    )
    assert statement.negotiation_id == sudan.id


def test_the_service_refuses_a_party_that_takes_no_part(
    session: Session, sudan: Negotiation
) -> None:
    ceasefire = make_demand(session, negotiation=sudan, slug="ceasefire")
    before = session.scalar(select(Statement.id).order_by(Statement.id.desc()).limit(1))
    with pytest.raises(NotTakingPart) as refusal:
        create_statement(
            session,
            fields(),
            party=party(session, "russia"),
            demand=ceasefire,
            source=make_source(session),
            user=system_user(session),
        )
    assert refusal.value.field == "party"
    assert "Russia does not take part in Sudan talks" in refusal.value.message
    assert session.scalar(select(Statement.id).order_by(Statement.id.desc()).limit(1)) == before


def test_the_database_refuses_a_party_that_takes_no_part(
    session: Session, sudan: Negotiation
) -> None:
    ceasefire = make_demand(session, negotiation=sudan, slug="ceasefire")
    row = {
        "party_id": party(session, "russia").id,
        "demand_id": ceasefire.id,
        "source_id": make_source(session).id,
        "stance": 1,
        "stated_on": dt.date(2025, 3, 4),
        "stated_on_precision": "day",
        "summary": "Bypasses the service.",
        "created_by_id": system_user(session).id,
        "version": 1,
    }
    # Honest about its negotiation: Russia has no participation in it.
    refused(session, insert(Statement).values(**row, negotiation_id=sudan.id))
    # Lying about it: the demand is not in the demo's talks.
    refused(session, insert(Statement).values(**row, negotiation_id=demo_talks(session).id))
    # The United States takes part: the same row for it is accepted.
    with session.begin_nested():
        session.execute(
            insert(Statement).values(
                **{**row, "party_id": party(session, "united-states").id},
                negotiation_id=sudan.id,
            )
        )


def test_a_statements_negotiation_cannot_drift_from_its_demands(
    session: Session, sudan: Negotiation
) -> None:
    statement = make_statement(session, party=party(session, "united-states"))
    refused(
        session,
        update(Statement).where(Statement.id == statement.id).values(negotiation_id=sudan.id),
    )


def test_a_participation_with_statements_cannot_go(session: Session) -> None:
    russia = party(session, "russia")
    refused(
        session,
        delete(Participation).where(
            Participation.party_id == russia.id,
            Participation.negotiation_id == demo_talks(session).id,
        ),
    )


def test_demand_slugs_are_unique_within_a_negotiation_only(
    session: Session, sudan: Negotiation
) -> None:
    taken = session.scalar(select(Demand).where(Demand.negotiation_id == demo_talks(session).id))
    assert taken is not None
    # The same slug in other talks is fine.
    twin = make_demand(session, negotiation=sudan, slug=taken.slug)
    assert twin.slug == taken.slug
    # A second one in the same talks: the service says which field, the database refuses too.
    with pytest.raises(AlreadyTaken) as refusal:
        make_demand(session, negotiation=sudan, slug=taken.slug)
    assert refusal.value.field == "slug"
    refused(
        session,
        insert(Demand).values(
            negotiation_id=sudan.id, slug=taken.slug, title="Twin", description="", version=1
        ),
    )
    # A slug made from the title counts only the negotiation's own demands.
    made = create_demand(
        session,
        DemandFields(negotiation_id=sudan.id, title="Ceasefire now"),
        user=system_user(session),
    )
    other = create_demand(
        session,
        DemandFields(negotiation_id=demo_talks(session).id, title="Ceasefire now"),
        user=system_user(session),
    )
    assert (made.slug, other.slug) == ("ceasefire-now", "ceasefire-now")


def test_a_demand_must_name_its_negotiation_when_there_are_two(
    session: Session, sudan: Negotiation
) -> None:
    with pytest.raises(FieldProblem) as refusal:
        create_demand(session, DemandFields(title="Whose?"), user=system_user(session))
    assert refusal.value.field == "negotiation_id"


def test_a_demand_moves_with_its_statements_when_their_parties_take_part(
    session: Session, sudan: Negotiation
) -> None:
    demand = make_demand(session)
    us = make_statement(session, party=party(session, "united-states"), demand=demand)
    user = system_user(session)
    moved = update_demand(
        session,
        demand,
        DemandFields(negotiation_id=sudan.id, title=demand.title, slug=demand.slug),
        form_version=demand.version,
        user=user,
    )
    assert moved.negotiation_id == sudan.id
    session.refresh(us)
    assert us.negotiation_id == sudan.id  # ON UPDATE CASCADE
    # Russia does not take part in Sudan's talks: a demand it spoke on cannot move there.
    other = make_demand(session)
    make_statement(session, party=party(session, "russia"), demand=other)
    with pytest.raises(IntegrityError), session.begin_nested():
        update_demand(
            session,
            other,
            DemandFields(negotiation_id=sudan.id, title=other.title, slug=other.slug),
            form_version=other.version,
            user=user,
        )


def test_negotiations_and_participations_are_versioned_with_revisions(
    session: Session, sudan: Negotiation
) -> None:
    user = system_user(session)
    edited = update_negotiation(
        session,
        sudan,
        NegotiationFields(slug="sudan", title="Jeddah talks", status="stalled"),
        form_version=sudan.version,
        user=user,
    )
    assert (edited.version, edited.status_changed_on) == (2, dt.date.today())
    mediator = session.scalar(select(Participation).where(Participation.negotiation_id == sudan.id))
    assert mediator is not None
    observer = update_participation(
        session,
        mediator,
        ParticipationFields(negotiation_id=sudan.id, party_id=mediator.party_id, role="observer"),
        form_version=mediator.version,
        user=user,
    )
    for entity in (edited, observer):
        revisions = session.scalars(
            select(Revision)
            .where(Revision.entity_type == entity.ENTITY_TYPE, Revision.entity_id == entity.id)
            .order_by(Revision.version)
        ).all()
        assert [(r.version, r.action) for r in revisions] == [(1, "create"), (2, "edit")]
        assert revisions[-1].snapshot == entity.snapshot()
    # A party takes part once per negotiation.
    with pytest.raises(AlreadyTaken):
        create_participation(
            session,
            ParticipationFields(negotiation_id=sudan.id, party_id=mediator.party_id),
            user=user,
        )


def test_bringing_back_a_slug_another_demand_of_the_talks_took_is_refused_clearly(
    session: Session, sudan: Negotiation
) -> None:
    from app.revisions import bring_back

    user = system_user(session)
    first = make_demand(session, negotiation=sudan, slug="ceasefire", title="A ceasefire")
    first = update_demand(
        session,
        first,
        DemandFields(slug="truce", title="A truce"),
        form_version=first.version,
        user=user,
    )
    make_demand(session, negotiation=sudan, slug="ceasefire", title="Another ceasefire")
    original = session.scalars(
        select(Revision).where(
            Revision.entity_type == "demand", Revision.entity_id == first.id, Revision.version == 1
        )
    ).one()
    with pytest.raises(AlreadyTaken) as refusal:
        bring_back(session, first, original, form_version=first.version, user=user)
    assert refusal.value.field == "slug"
    # The same slug in other talks does not stand in the way.
    elsewhere = make_demand(session, slug="truce-elsewhere")
    elsewhere = update_demand(
        session,
        elsewhere,
        DemandFields(slug="peace", title="Peace"),
        form_version=elsewhere.version,
        user=user,
    )
    make_demand(session, negotiation=sudan, slug="truce-elsewhere")
    old = session.scalars(
        select(Revision).where(
            Revision.entity_type == "demand",
            Revision.entity_id == elsewhere.id,
            Revision.version == 1,
        )
    ).one()
    assert bring_back(session, elsewhere, old, form_version=elsewhere.version, user=user).slug == (
        "truce-elsewhere"
    )


def test_a_new_status_left_with_the_old_date_is_dated_today(
    session: Session, sudan: Negotiation
) -> None:
    user = system_user(session)
    dated = update_negotiation(
        session,
        sudan,
        NegotiationFields(slug="sudan", title="Sudan talks", status_changed_on=dt.date(2024, 5, 1)),
        form_version=sudan.version,
        user=user,
    )
    assert dated.status_changed_on == dt.date(2024, 5, 1)
    # As the edit form posts it back: the stored date, and a new status.
    stalled = update_negotiation(
        session,
        dated,
        NegotiationFields(
            slug="sudan",
            title="Sudan talks",
            status="stalled",
            status_changed_on=dt.date(2024, 5, 1),
        ),
        form_version=dated.version,
        user=user,
    )
    assert stalled.status_changed_on == dt.date.today()
    # A retitling keeps the date.
    retitled = update_negotiation(
        session,
        stalled,
        NegotiationFields(slug="sudan", title="Jeddah talks", status="stalled"),
        form_version=stalled.version,
        user=user,
    )
    assert retitled.status_changed_on == dt.date.today()
