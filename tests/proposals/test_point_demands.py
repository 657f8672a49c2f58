"""The version form (issue 17): a point speaks to several demands, each in its own slot, and the
demand picker is a list that filters as one types (static/js/combobox.js) and is a plain select
without script."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import PointDemand, ProposalPoint, ProposalVersion
from tests.editors import counts
from tests.html import one, parse, words
from tests.proposals.plans import Talks, make_proposal, make_talks, make_version, points
from tests.proposals.test_editing import PASTE, _base, _press


@pytest.fixture
def talks(session) -> Talks:  # type: ignore[no-untyped-def]
    made = make_talks(session)
    session.commit()
    return made


def _split(editor_client, talks):  # type: ignore[no-untyped-def]
    url = f"{_base(talks)}/plan/versions/new"
    page = _press(editor_client, editor_client.get(url), url, {"paste": PASTE, "do": "split"})
    assert page.status_code == 200
    return url, page


def _version_fields(talks) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "label": "28-point draft",
        "issued_on": "2025-11",
        "status": "leaked",
        "source_url": talks.source.url,
    }


def test_a_point_is_mapped_to_two_demands_without_script(editor_client, session, talks) -> None:
    proposal = make_proposal(session, talks)
    session.commit()
    url, page = _split(editor_client, talks)
    row = one(parse(page), "tr[data-row='0']")
    # One slot to begin with; the picker is a select the script turns into a filtering list.
    assert len(row.select("[data-slot]")) == 2  # demand+stance, value+unit
    assert one(row, "select#p0_demand")["data-combobox"] is not None
    page = _press(editor_client, page, url, {"do": "demand:0"})
    row = one(parse(page), "tr[data-row='0']")
    assert row.select_one("select#p0_demand_1") is not None
    assert "Demand 2, point 1" in words(one(row, "label[for=p0_demand_1]"))
    d0, d1 = talks.demands[0], talks.demands[1]
    response = _press(
        editor_client,
        page,
        url,
        {
            **_version_fields(talks),
            "p0_demand": str(d0.id),
            "p0_stance": "2",
            "p0_value": "600,000",
            "p0_unit": "troops",
            "p0_demand_1": str(d1.id),
            "p0_stance_1": "-1",
            "do": "save",
        },
    )
    assert response.status_code == 303, response.text
    version = session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
    ).one()
    point = session.scalars(
        select(ProposalPoint).where(
            ProposalPoint.version_id == version.id, ProposalPoint.number == "1"
        )
    ).one()
    links = {
        link.demand_id: (link.stance, link.value)
        for link in session.scalars(select(PointDemand).where(PointDemand.point_id == point.id))
    }
    assert links == {d0.id: (2, 600_000), d1.id: (-1, None)}


def test_start_from_the_previous_version_copies_every_demand_of_a_point(
    editor_client, session, talks
) -> None:
    proposal = make_proposal(session, talks)
    first = points(talks, 2)
    extra = (
        first[0]
        .demands[0]
        .model_copy(update={"demand_id": talks.demands[2].id, "value": None, "unit": None})
    )
    first[0] = first[0].model_copy(update={"demands": [*first[0].demands, extra]})
    make_version(session, talks, proposal, "First draft", first)
    session.commit()
    page = parse(editor_client.get(f"{_base(talks)}/plan/versions/new?start=previous"))
    row = one(page, "tr[data-row='0']")
    chosen = [
        s.select_one("option[selected]")["value"]
        for s in row.select("select[id^=p0_demand]")
        if s.select_one("option[selected]")
    ]
    assert chosen == [str(first[0].demands[0].demand_id), str(talks.demands[2].id)]


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"p0_demand_1": "{d0}", "p0_stance_1": "1"}, "p0_demand_1", "twice"),
        ({"p0_demand_1": "9" * 5000, "p0_stance_1": "1"}, "p0_demand_1", "from the list"),
        ({"p0_demand_1": "\u0661", "p0_stance_1": "1"}, "p0_demand_1", "from the list"),
        ({"p0_demand_1": "{d1}", "p0_stance_1": "7"}, "p0_stance_1", "stance"),
        ({"p0_demand_1": "{d1}", "p0_stance_1": "1", "p0_unit_1": "km"}, "p0_unit_1", "value"),
    ],
)
def test_a_bad_second_demand_is_refused_on_its_slot_and_stores_nothing(
    editor_client, session, talks, changes, field, says
) -> None:
    make_proposal(session, talks)
    session.commit()
    url, page = _split(editor_client, talks)
    page = _press(editor_client, page, url, {"do": "demand:0"})
    ids = {"{d0}": str(talks.demands[0].id), "{d1}": str(talks.demands[1].id)}
    filled = {k: ids.get(v, v) for k, v in changes.items()}
    before = counts(session)
    response = _press(
        editor_client,
        page,
        url,
        {
            **_version_fields(talks),
            "p0_demand": str(talks.demands[0].id),
            "p0_stance": "2",
            **filled,
            "do": "save",
        },
    )
    assert response.status_code == 422
    assert says in words(one(parse(response), f"#{field}-error")).lower()
    assert counts(session) == before
