from __future__ import annotations

import datetime as dt

from app.demands.queries import demand_in
from app.negotiations.queries import negotiation_by_slug
from app.stances import Stance
from tests.factories import make_demand, make_party, make_source, make_statement
from tests.html import one, parse, words


def side(page, party: str):  # type: ignore[no-untyped-def]
    return one(parse(page), f'#sides tr[data-party="{party}"]')


def test_demands_index_links_every_demand_in_display_order(client) -> None:
    links = [
        a["href"] for a in parse(client.get("/talks/russia-ukraine/demands")).select("#demands a")
    ]
    assert links[0] == "/talks/russia-ukraine/demands/nato-renunciation"
    assert len(links) == 9


def test_every_party_side_by_side_before_and_after_the_shift(client) -> None:
    before = client.get("/talks/russia-ukraine/demands/russian-withdrawal?as_of=2024-12-31")
    assert side(before, "ukraine")["data-stance"] == "insists"
    assert side(before, "russia")["data-stance"] == "none"
    after = client.get("/talks/russia-ukraine/demands/russian-withdrawal?as_of=2025-01-31")
    assert side(after, "ukraine")["data-stance"] == "open"


def test_chart_draws_a_line_per_party_with_the_shift_as_a_marked_point(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/demands/russian-withdrawal?as_of=2025-01-31"))
    svg = one(page, "#stance-chart svg.chart__svg--wide")
    # A labelled group, not an img: its points are links, and links may not nest in an image.
    assert svg["role"] == "group"
    assert svg["aria-labelledby"] == "stance-chart-title stance-chart-desc"
    assert "Stances on" in words(one(svg, "svg > title"))
    # The text alternative says what the picture shows.
    desc = words(one(svg, "svg > desc"))
    assert "Ukraine: insists, 2022, then open / conditional, January 2025 (shift)" in desc
    line = one(svg, 'g.chart__line[data-series="Ukraine"]')
    points = line.select("circle")
    assert [p["data-shift"] for p in points] == ["no", "yes"]
    # Position on the scale: insists is drawn above open (smaller y).
    assert float(points[0]["cy"]) < float(points[1]["cy"])
    assert float(points[0]["cx"]) < float(points[1]["cx"])
    assert points[1].parent.name == "a" and points[1].parent["href"].startswith("/statements/")
    assert "Ukraine" in words(one(line, "text.chart__name"))
    rows = page.select("#chart-table tbody tr")
    assert [r["data-shift"] for r in rows] == ["no", "yes"]
    # The phone's drawing: the same lines, names and links, its own ids, the level names above
    # their lines (from the left edge) instead of left of the plot.
    narrow = one(page, "#stance-chart svg.chart__svg--narrow")
    assert narrow["viewbox"] == "0 0 340 320"
    assert narrow["aria-labelledby"] == "stance-chart-narrow-title stance-chart-narrow-desc"
    assert words(one(narrow, "svg > desc")) == desc
    narrow_line = one(narrow, 'g.chart__line[data-series="Ukraine"]')
    assert [p["data-shift"] for p in narrow_line.select("circle")] == ["no", "yes"]
    assert "Ukraine" in words(one(narrow_line, "text.chart__name"))
    assert {t.get("text-anchor") for t in narrow.select("text.chart__level")} == {None}


def test_chart_before_any_statement_says_so(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/demands/russian-withdrawal?as_of=2021-01-01"))
    assert not page.select("#stance-chart")
    assert "No party has stated a position" in words(one(page, "#demand-content"))


def test_gaps_between_each_pair_now_and_how_they_moved(client, session) -> None:
    demand = make_demand(session, slug="truce")
    hawk = make_party(session, slug="hawk", short_name="Hawk")
    dove = make_party(session, slug="dove", short_name="Dove")
    source = make_source(session)
    make_statement(
        session, party=hawk, demand=demand, source=source,
        stance=Stance.INSISTS, stated_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    make_statement(
        session, party=dove, demand=demand, source=source,
        stance=Stance.RED_LINE, stated_on=dt.date(2024, 3, 1), stated_on_precision="month",
    )  # fmt: skip
    make_statement(
        session, party=dove, demand=demand, source=source,
        stance=Stance.ACCEPTS, stated_on=dt.date(2024, 9, 5),
    )  # fmt: skip
    session.commit()

    page = parse(client.get("/talks/russia-ukraine/demands/truce?as_of=2025-01-01"))
    pair = one(page, '#gaps tr[data-pair="dove:hawk"], #gaps tr[data-pair="hawk:dove"]')
    assert pair["data-gap"] == "1"
    assert "4 (March 2024)" in words(pair)
    assert "narrowed by 3" in words(pair)
    # Closest pairs first; pairs with a silent party last.
    gaps = [tr["data-gap"] for tr in page.select("#gaps tbody tr")]
    assert gaps[0] == "1"
    assert set(gaps[1:]) == {"none"}

    earlier = parse(client.get("/talks/russia-ukraine/demands/truce?as_of=2024-06-01"))
    pair = one(earlier, '#gaps tr[data-pair="dove:hawk"], #gaps tr[data-pair="hawk:dove"]')
    assert pair["data-gap"] == "4" and "unchanged" in words(pair)


def test_unknown_demand_is_a_404_that_offers_every_demand(client) -> None:
    response = client.get("/talks/russia-ukraine/demands/world-peace")
    assert response.status_code == 404
    offered = [a["href"] for a in parse(response).select(".choices a")]
    assert "/talks/russia-ukraine/demands/russian-withdrawal" in offered and len(offered) == 9


def test_bad_date_is_a_400_with_the_reason(client) -> None:
    response = client.get("/talks/russia-ukraine/demands/russian-withdrawal?as_of=31-01-2025")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in words(one(parse(response), "#demand-content [role=alert]"))


def test_demand_page_query_count_is_fixed_whatever_the_data(client, session, queries) -> None:
    client.get("/talks/russia-ukraine/demands/russian-withdrawal")
    baseline = queries.count
    # Data version, the negotiation, the demand, its participants' positions, the histories
    # (each entry with whether it carries conditions, issue 18).
    assert baseline == 5

    demand_parties = [make_party(session) for _ in range(3)]
    source = make_source(session)
    talks = negotiation_by_slug(session, "russia-ukraine")
    assert talks is not None
    demand = demand_in(session, talks.id, "russian-withdrawal")
    for party in demand_parties:
        for day in range(1, 12):
            make_statement(
                session, party=party, demand=demand, source=source,
                stance=Stance.OPEN if day % 2 else Stance.REJECTS,
                stated_on=dt.date(2025, 3, day),
            )  # fmt: skip
    session.commit()
    queries.clear()
    page = parse(client.get("/talks/russia-ukraine/demands/russian-withdrawal"))
    assert queries.count == baseline
    assert len(page.select("#stance-chart circle[data-shift=yes]")) >= 3 * 10


def test_the_chart_starts_where_the_story_starts_and_offers_the_full_range(client) -> None:
    """Issue 21: today is long after the last statement; the window ends soon after it, with a
    marker for today past a break in the axis, and a link to every day up to today."""
    page = parse(client.get("/talks/russia-ukraine/demands/nato-renunciation"))
    wide = one(page, "#stance-chart svg.chart__svg--wide")
    assert words(one(wide, "text.chart__marker-label")) == "today"
    assert wide.select("path.chart__break")
    link = one(page, "a#chart-range")
    assert link["href"].endswith("&chart=full")
    assert link["href"].startswith("/talks/russia-ukraine/demands/nato-renunciation?as_of=")

    full = parse(client.get(link["href"].replace("&amp;", "&")))
    wide_full = one(full, "#stance-chart svg.chart__svg--wide")
    assert not wide_full.select("path.chart__break")
    assert words(one(wide_full, "text.chart__marker-label")) == "today"
    assert "Show from where the story starts" in words(one(full, "a#chart-range"))
    # Both drawings, wide and narrow, carry the marker: the phone's is redrawn, not cropped.
    assert one(page, "#stance-chart svg.chart__svg--narrow text.chart__marker-label")
