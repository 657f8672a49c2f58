from __future__ import annotations

import datetime as dt

from app.dates import DatePrecision
from app.matrix.queries import matrix_as_of
from app.models.base import utcnow
from app.stances import Stance
from tests.factories import make_demand, make_party, make_statement


def position(session, party, demand, as_of):  # type: ignore[no-untyped-def]
    matrix = matrix_as_of(session, demand.negotiation_id, as_of)
    row = next(r for r in matrix.rows if r.demand.id == demand.id)
    shown = next(c for c in row.cells if c.party.id == party.id).statement
    return shown.id if shown else None


def test_latest_statement_on_or_before_the_date_is_the_position(session) -> None:
    party, demand = make_party(session), make_demand(session)
    early = make_statement(session, party=party, demand=demand, stated_on=dt.date(2025, 1, 10))
    late = make_statement(
        session, party=party, demand=demand, stated_on=dt.date(2025, 2, 10), stance=Stance.REJECTS
    )
    assert position(session, party, demand, dt.date(2025, 1, 9)) is None
    assert position(session, party, demand, dt.date(2025, 1, 10)) == early.id
    assert position(session, party, demand, dt.date(2025, 2, 9)) == early.id
    assert position(session, party, demand, dt.date(2025, 2, 10)) == late.id


def test_two_statements_on_one_day_resolve_to_the_later_entered(session) -> None:
    party, demand = make_party(session), make_demand(session)
    make_statement(session, party=party, demand=demand, stated_on=dt.date(2025, 1, 10))
    second = make_statement(
        session, party=party, demand=demand, stated_on=dt.date(2025, 1, 10), stance=Stance.OPEN
    )
    assert position(session, party, demand, dt.date(2025, 1, 10)) == second.id


def test_retracted_statement_drops_out_and_the_previous_one_counts_again(session) -> None:
    party, demand = make_party(session), make_demand(session)
    first = make_statement(session, party=party, demand=demand, stated_on=dt.date(2025, 1, 1))
    second = make_statement(session, party=party, demand=demand, stated_on=dt.date(2025, 1, 2))
    second.retracted_at = utcnow()
    second.retraction_reason = "Misattributed quote"
    session.flush()
    assert position(session, party, demand, dt.date(2025, 6, 1)) == first.id


def test_a_month_precision_statement_counts_from_the_first_of_its_month(session) -> None:
    party, demand = make_party(session), make_demand(session)
    june = make_statement(
        session,
        party=party,
        demand=demand,
        stated_on=dt.date(2024, 6, 1),
        stated_on_precision=DatePrecision.MONTH,
    )
    assert position(session, party, demand, dt.date(2024, 5, 31)) is None
    assert position(session, party, demand, dt.date(2024, 6, 1)) == june.id


def test_matrix_rows_follow_display_order(session) -> None:
    late = make_demand(session, display_order=1_000_000, slug="zz-last")
    first = make_demand(session, display_order=0, slug="aa-first")
    rows = matrix_as_of(session, first.negotiation_id, dt.date.today()).rows
    slugs = [row.demand.slug for row in rows]
    assert slugs[0] == first.slug
    assert slugs[-1] == late.slug
