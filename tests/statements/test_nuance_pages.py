"""Issue 18, what the reader pages still lacked: "reported" on every page that shows a stance
(as the matrix cell marks it), off-scale answers on the charts, and a change between partial and
whole shown as a shift in the timeline and its feed. Query counts stay those of plain data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from sqlalchemy.orm import Session

from app.evidence import Evidence
from app.models import Party, Statement
from app.stances import Reading, Stance, scope_change
from tests.factories import make_demand, make_party, make_source, make_statement
from tests.html import one, parse, words

ATOM = "{http://www.w3.org/2005/Atom}"


def _story(session: Session) -> tuple[Party, str, dict[str, Statement]]:
    """A party on one demand: a partial accept, reported second-hand; the same accept in full; a
    declined answer; and an ambiguous one."""
    party = make_party(session, slug="nuanced", short_name="Nu", name="Nuanced")
    demand = make_demand(session, title="A local truce to collect the dead")
    source = make_source(session)

    def said(day: int, **values: object) -> Statement:
        return make_statement(
            session, party=party, demand=demand, source=source,
            stated_on=dt.date(2025, 6, day), **values,
        )  # fmt: skip

    made = {
        "partial": said(
            2,
            stance=Stance.ACCEPTS,
            partial=True,
            scope_note="local, 2–3 days",
            evidence=Evidence.OTHER_OUTLET,
            evidence_outlet="TASS",
        ),
        "whole": said(9, stance=Stance.ACCEPTS, evidence=Evidence.OFFICIAL_DOCUMENT),
        "declined": said(12, stance=None, off_scale="declined", summary="No comment."),
        "ambiguous": said(16, stance=None, off_scale="ambiguous", evidence="anonymous_official"),
        "part-again": said(20, stance=Stance.ACCEPTS, partial=True, scope_note="only the south"),
    }
    session.commit()
    return party, demand.slug, made


def test_a_scope_change_is_said_in_words() -> None:
    accepts, partly = Reading(Stance.ACCEPTS), Reading(Stance.ACCEPTS, partial=True)
    assert scope_change(partly, accepts) == "now accepts it in full"
    assert scope_change(accepts, partly) == "now accepts it only in part"
    assert scope_change(Reading(Stance.REJECTS), partly) is None  # a change of value says it
    assert scope_change(accepts, accepts) is None
    assert scope_change(None, accepts) is None


def test_reported_is_marked_on_party_demand_and_timeline_pages_as_in_the_cell(
    client, session
) -> None:
    _party, demand, made = _story(session)
    reported, plain = made["partial"], made["whole"]
    # The matrix cell's own mark (the statement that sets the position must be reported).
    party_page = parse(client.get("/talks/russia-ukraine/parties/nuanced?as_of=2025-06-05"))
    row = one(party_page, f'#positions tr[data-demand="{demand}"]')
    assert "reported" in words(one(row, ".cell__reported"))
    history = party_page.select(".history__entry")
    marked = {li["data-statement"]: bool(li.select(".cell__reported")) for li in history}
    assert marked == {str(reported.id): True}
    full = parse(client.get("/talks/russia-ukraine/parties/nuanced?as_of=2025-06-30"))
    marked = {li["data-statement"]: bool(li.select(".cell__reported")) for li in full.select(
        ".history__entry"
    )}  # fmt: skip
    assert marked[str(reported.id)] and not marked[str(plain.id)]
    assert marked[str(made["ambiguous"].id)]  # an anonymous official: reported too

    demand_page = parse(client.get(f"/talks/russia-ukraine/demands/{demand}?as_of=2025-06-05"))
    side = one(demand_page, '#sides tr[data-party="nuanced"]')
    assert "reported" in words(one(side, ".cell__reported"))
    table = demand_page.select('#chart-table tr[data-party="nuanced"]')
    assert ["reported" in words(tr) for tr in table] == [True]
    # The chart: a dashed ring on the point, "reported" in its title, and a legend entry.
    chart = one(demand_page, "#stance-chart")
    ring = chart.select('circle.chart__reported[data-reported="yes"]')
    assert len(ring) == 2  # the wide drawing and the phone's
    assert any("reported" in words(t) for t in chart.select(".chart__point title"))
    assert "reported" in words(one(chart, ".chart__legend"))
    # A demand without reported evidence has no such legend entry.
    other = parse(client.get("/talks/russia-ukraine/demands/russian-withdrawal"))
    assert "reported" not in words(one(other, "#stance-chart .chart__legend"))

    timeline = parse(client.get("/talks/russia-ukraine/timeline?party=nuanced"))
    entries = {li["data-statement"]: li for li in timeline.select("#timeline > li")}
    assert entries[str(reported.id)].select(".cell__reported")
    assert not entries[str(plain.id)].select(".cell__reported")


def test_the_feed_says_reported_and_the_shift_from_partial_to_whole(client, session) -> None:
    _party, _demand, made = _story(session)
    feed = ET.fromstring(client.get("/talks/russia-ukraine/timeline.atom?party=nuanced").content)
    entries = {}
    for e in feed.iter(f"{ATOM}entry"):
        link = e.find(f"{ATOM}link").get("href", "")  # type: ignore[union-attr]
        entries[int(link.rsplit("/", 1)[-1])] = (
            e.find(f"{ATOM}title").text or "",  # type: ignore[union-attr]
            e.find(f"{ATOM}content").text or "",  # type: ignore[union-attr]
        )
    title, content = entries[made["partial"].id]
    assert "(reported)" in title and "TASS" in content and "moved from" not in content
    _title, content = entries[made["whole"].id]
    assert "moved from accepts (partial) to accepts" in content
    assert "(now accepts it in full)" in content
    _title, content = entries[made["part-again"].id]
    # Measured from the last stance on the scale: the off-scale answers between are skipped.
    assert "moved from accepts to accepts (partial)" in content
    assert "(now accepts it only in part)" in content
    _title, content = entries[made["declined"].id]
    assert "moved from" not in content


def test_the_timeline_marks_partial_to_whole_as_a_shift(client, session) -> None:
    _party, _demand, made = _story(session)
    page = parse(client.get("/talks/russia-ukraine/timeline?party=nuanced"))
    shifts = {li["data-statement"]: li["data-shift"] for li in page.select("#timeline > li")}
    assert shifts == {
        str(made["partial"].id): "no",
        str(made["whole"].id): "yes",
        str(made["declined"].id): "no",
        str(made["ambiguous"].id): "no",
        str(made["part-again"].id): "yes",
    }
    whole = one(page, f'#timeline > li[data-statement="{made["whole"].id}"] .shift-mark')
    assert words(whole).endswith("Shift: was accepts (partial) (now accepts it in full)")
    again = one(page, f'#timeline > li[data-statement="{made["part-again"].id}"] .shift-mark')
    assert "now accepts it only in part" in words(again)
    # The party page's history says the same.
    party_page = parse(client.get("/talks/russia-ukraine/parties/nuanced?as_of=2025-06-30"))
    entry = one(party_page, f'.history__entry[data-statement="{made["whole"].id}"] .shift-mark')
    assert "now accepts it in full" in words(entry)


def test_off_scale_answers_stand_on_the_demand_chart_with_a_legend_and_text(
    client, session
) -> None:
    _party, demand, made = _story(session)
    page = parse(client.get(f"/talks/russia-ukraine/demands/{demand}?as_of=2025-06-30"))
    chart = one(page, "#stance-chart")
    for svg in chart.select("svg.chart__svg"):
        off = svg.select("g.chart__off")
        assert [g["data-off"] for g in off] == ["declined to say", "ambiguous"]
        # Linked to their statements, named in words (the icon alone would be a symbol).
        links = [g.parent["href"] for g in off]
        assert links == [
            f"/statements/{made['declined'].id}",
            f"/statements/{made['ambiguous'].id}",
        ]
        assert "Nu: declined to say, 12 June 2025" in words(one(off[0], "title"))
        assert "off the scale" in words(svg)
        # The row below the scale: lower than the lowest level's line.
        lane = one(svg, "line.chart__off-lane")
        levels = [float(line["y1"]) for line in svg.select(".chart__grid > line:not([class])")]
        assert float(lane["y1"]) > max(levels)
        # The line does not go through them: it holds at accepts.
        assert all(float(c["y"]) > max(levels) for c in svg.select("g.chart__off text"))
    legend = words(one(chart, ".chart__legend"))
    assert "declined to say (off the scale" in legend and "ambiguous (off the scale" in legend
    # The text alternative names them in order.
    description = words(one(chart, "svg.chart__svg--wide desc"))
    assert "then declined to say, 12 June 2025, then ambiguous, reported, 16 June 2025" in (
        description
    )
    # A chart without off-scale answers has no such row.
    other = parse(client.get("/talks/russia-ukraine/demands/russian-withdrawal"))
    assert not other.select("#stance-chart .chart__off-lane")
    assert "off the scale" not in words(one(other, "#stance-chart .chart__legend"))


def test_an_off_scale_answer_alone_still_draws_a_chart(client, session) -> None:
    party = make_party(session, slug="quiet")
    demand = make_demand(session)
    make_statement(session, party=party, demand=demand, stance=None, off_scale="declined")
    session.commit()
    page = parse(client.get(f"/talks/russia-ukraine/demands/{demand.slug}"))
    assert len(page.select("#stance-chart svg.chart__svg g.chart__off")) == 2


def test_the_pages_cost_the_same_queries_with_this_nuance(client, session, queries) -> None:
    _party, demand, _made = _story(session)
    pages = [
        "/talks/russia-ukraine/timeline?party=nuanced",
        "/talks/russia-ukraine/timeline.atom?party=nuanced",
        f"/talks/russia-ukraine/demands/{demand}",
        "/talks/russia-ukraine/parties/nuanced",
    ]
    counts = {}
    for path in pages:
        queries.clear()
        assert client.get(path).status_code == 200
        counts[path] = queries.count
    # The same as the plain pages (tests/timeline, tests/demands, tests/matrix/test_nuance_cells).
    assert counts == dict(zip(pages, [5, 6, 5, 6], strict=True))
