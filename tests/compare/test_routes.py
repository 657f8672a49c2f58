from __future__ import annotations

import datetime as dt

import pytest

from app.stances import Stance
from tests.factories import make_demand, make_party, make_source, make_statement
from tests.html import one, parse, words


def row(page, demand: str):  # type: ignore[no-untyped-def]
    return one(parse(page), f'#comparison li[data-demand="{demand}"]')


def test_without_parties_the_page_is_the_picker(client) -> None:
    response = client.get("/talks/russia-ukraine/compare")
    assert response.status_code == 200
    page = parse(response)
    boxes = page.select("form input[type=checkbox][name=parties]")
    assert len(boxes) == 4
    assert not page.select("#comparison")


def test_parties_side_by_side_with_the_gap_closest_first(client) -> None:
    response = client.get("/talks/russia-ukraine/compare?parties=russia,ukraine&as_of=2025-01-31")
    assert response.status_code == 200
    page = parse(response)
    gaps = [li["data-gap"] for li in page.select("#comparison > li")]
    known = [int(g) for g in gaps if g != "none"]
    assert known == sorted(known)
    assert gaps[len(known) :] == ["none"] * (len(gaps) - len(known))
    # Both reject a temporary ceasefire: the closest they stand.
    assert gaps[0] == "0"
    assert page.select("#comparison > li")[0]["data-demand"] == "temporary-ceasefire"
    nato = row(response, "nato-renunciation")
    assert nato["data-gap"] == "3"  # insists (+2) against rejects (−1)
    sides = nato.select(".compare-row__sides li")
    assert [li["data-party"] for li in sides] == ["russia", "ukraine"]
    assert [li["data-stance"] for li in sides] == ["insists", "rejects"]


def test_the_gap_moves_with_the_date(client) -> None:
    before = row(
        client.get("/talks/russia-ukraine/compare?parties=ukraine,russia&as_of=2024-12-31"),
        "russian-withdrawal",
    )
    assert before["data-gap"] == "none"  # Russia has said nothing on it
    page = client.get(
        "/talks/russia-ukraine/compare?parties=ukraine,united-states&as_of=2025-01-31"
    )
    assert row(page, "nato-renunciation")["data-gap"] == "0"


def test_gap_chart_shows_how_the_gap_moved(client, session) -> None:
    demand = make_demand(session, slug="talks")
    a, b = make_party(session, slug="side-a"), make_party(session, slug="side-b")
    source = make_source(session)
    for party, stance, day in [
        (a, Stance.INSISTS, dt.date(2024, 1, 10)),
        (b, Stance.RED_LINE, dt.date(2024, 2, 10)),
        (b, Stance.OPEN, dt.date(2024, 8, 10)),
    ]:
        make_statement(
            session, party=party, demand=demand, source=source, stance=stance, stated_on=day
        )
    session.commit()
    response = client.get("/talks/russia-ukraine/compare?parties=side-a,side-b&as_of=2025-01-01")
    talks = row(response, "talks")
    assert talks["data-gap"] == "2"
    assert "narrowed by 2 since 10 February 2024 (was 4)" in words(talks)
    svg = one(talks, "svg.chart__svg--wide")
    # The phone's drawing of the same chart says the same.
    assert words(one(talks, "svg.chart__svg--narrow > desc")) == words(one(svg, "svg > desc"))
    assert "gap 4 from 10 February 2024; gap 2 from 10 August 2024" in words(one(svg, "svg > desc"))
    points = svg.select("circle")
    assert [p["data-shift"] for p in points] == ["no", "yes"]
    assert float(points[0]["cy"]) < float(points[1]["cy"])  # a wider gap is drawn higher


def test_a_gap_that_never_moved_is_one_line_not_a_chart(client, session) -> None:
    demand = make_demand(session, slug="steady")
    a, b = make_party(session, slug="calm-a"), make_party(session, slug="calm-b")
    source = make_source(session)
    for party, stance, day in [
        (a, Stance.INSISTS, dt.date(2024, 1, 10)),
        (b, Stance.REJECTS, dt.date(2024, 2, 10)),
        # A new statement, the same gap: nothing moved.
        (a, Stance.INSISTS, dt.date(2024, 5, 10)),
    ]:
        make_statement(
            session, party=party, demand=demand, source=source, stance=stance, stated_on=day
        )
    session.commit()
    response = client.get("/talks/russia-ukraine/compare?parties=calm-a,calm-b&as_of=2025-01-01")
    steady = row(response, "steady")
    assert steady["data-gap"] == "3"
    assert not steady.select("figure, svg.chart__svg")
    assert "unchanged since 10 February 2024" in words(one(steady, ".compare-row__gap"))
    assert "(was" not in words(steady)
    # Demands nobody has spoken on get no chart either: only the gap's dash.
    assert not row(response, "nato-renunciation").select("figure")


def test_checkboxes_give_the_same_view_as_the_comma_list(client) -> None:
    commas = parse(
        client.get("/talks/russia-ukraine/compare?parties=russia,ukraine&as_of=2025-01-31")
    )
    boxes = parse(
        client.get("/talks/russia-ukraine/compare?parties=russia&parties=ukraine&as_of=2025-01-31")
    )
    assert words(one(commas, "#comparison")) == words(one(boxes, "#comparison"))
    checked = [i["value"] for i in boxes.select("input[name=parties][checked]")]
    assert sorted(checked) == ["russia", "ukraine"]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("parties=russia,atlantis", "There is no party “atlantis”"),
        ("parties=russia,ukraine,russia", "“Russia” is listed more than once"),
        ("parties=russia", "at least two parties"),
        ("parties=,", "at least two parties"),
        ("parties=russia,ukraine&as_of=2025-13-01", "not a real calendar date"),
    ],
)
def test_bad_selections_are_400_pages_naming_the_reason(client, query: str, reason: str) -> None:
    response = client.get(f"/talks/russia-ukraine/compare?{query}")
    assert response.status_code == 400
    page = parse(response)
    assert reason in words(one(page, "#compare-content [role=alert]"))
    assert page.select("form input[name=parties]")


def test_unknown_slug_is_shown_back_as_text(client) -> None:
    response = client.get("/talks/russia-ukraine/compare?parties=russia,<b>x</b>")
    assert response.status_code == 400
    assert "<b>x</b>" not in response.text


def test_compare_query_count_is_fixed_whatever_the_data(client, session, queries) -> None:
    client.get("/talks/russia-ukraine/compare?parties=russia,ukraine")
    baseline = queries.count
    # Data version, the negotiation, its participants, the positions, the histories (each
    # entry with whether it carries conditions, issue 18).
    assert baseline == 5

    source = make_source(session)
    demand = make_demand(session)
    parties = [make_party(session, slug=f"many-{n}") for n in range(3)]
    for party in parties:
        for day in range(1, 10):
            make_statement(
                session, party=party, demand=demand, source=source,
                stance=Stance.OPEN if day % 2 else Stance.ACCEPTS,
                stated_on=dt.date(2025, 4, day),
            )  # fmt: skip
    session.commit()
    queries.clear()
    client.get("/talks/russia-ukraine/compare?parties=many-0,many-1,many-2,russia")
    assert queries.count == baseline
