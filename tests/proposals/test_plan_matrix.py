"""A plan in the matrix: `/talks/{n}?with={proposal}`, its column and each party's gap to it,
against hand-worked figures."""

from __future__ import annotations

import datetime as dt

import pytest

from app.proposals.service import PointDemandFields, PointFields
from app.stances import Stance
from tests.factories import make_party, make_statement
from tests.html import one, parse, words
from tests.proposals.plans import make_proposal, make_talks, make_version


def _term(number, demand, stance, value=None):  # type: ignore[no-untyped-def]
    return PointFields(
        number=number,
        text=f"Point {number}.",
        demands=[
            PointDemandFields(
                demand_id=demand.id, stance=stance, value=value, unit="troops" if value else None
            )
        ],
    )


def _setting(session, extra_points: int = 0):  # type: ignore[no-untyped-def]
    """Plan v1 (June 2025): 1 insists on d0 (600,000), 2 accepts d1. v2 (November 2025): 1
    insists on d0 (800,000), 2 rejects d1, 3 open on d2. Party A: red line on d0, accepts d1.
    Party B: accepts d0, insists on d2."""
    talks = make_talks(session)
    d0, d1, d2 = talks.demands
    proposal = make_proposal(session, talks)
    make_version(
        session,
        talks,
        proposal,
        "June text",
        [_term("1", d0, Stance.INSISTS, 600_000), _term("2", d1, Stance.ACCEPTS)],
        issued_on=dt.date(2025, 6, 1),
    )
    more = [_term(str(n), d2, Stance.OPEN) for n in range(4, 4 + extra_points)]
    make_version(
        session,
        talks,
        proposal,
        "November text",
        [
            _term("1", d0, Stance.INSISTS, 800_000),
            _term("2", d1, Stance.REJECTS),
            _term("3", d2, Stance.OPEN),
            *more,
        ],
        issued_on=dt.date(2025, 11, 20),
    )
    a = make_party(session, slug="party-a", name="Party A")
    b = make_party(session, slug="party-b", name="Party B")
    make_statement(session, party=a, demand=d0, stance=Stance.RED_LINE, source=talks.source)
    make_statement(session, party=a, demand=d1, stance=Stance.ACCEPTS, source=talks.source)
    make_statement(session, party=b, demand=d0, stance=Stance.ACCEPTS, source=talks.source)
    make_statement(session, party=b, demand=d2, stance=Stance.INSISTS, source=talks.source)
    session.commit()
    return talks


def _gaps(page, talks):  # type: ignore[no-untyped-def]
    return {
        (row["data-demand"], cell["data-party"]): cell["data-gap"]
        for row in page.select("#plan-gap-table tbody tr")
        for cell in row.select("td")
        if cell["data-party"] != talks.mediator.slug
    }


def test_the_plan_as_of_june_and_the_gaps_to_it(client, session) -> None:
    talks = _setting(session)
    d0, d1, d2 = (d.slug for d in talks.demands)
    page = parse(client.get(f"/talks/{talks.negotiation.slug}?with=plan&as_of=2025-07-01"))
    assert "June text" in words(one(page, "th[data-plan='plan']"))
    column = [
        words(td).removeprefix("The mediator's plan ")
        for td in page.select("#matrix-table td[data-plan-term]")
    ]
    assert column == [
        "▲▲ insists 600,000 troops point 1",
        "▲ accepts point 2",
        "The plan is silent",
    ]
    assert _gaps(page, talks) == {
        (d0, "party-a"): "4",
        (d0, "party-b"): "1",
        (d1, "party-a"): "0",
        (d1, "party-b"): "",
        (d2, "party-a"): "",
        (d2, "party-b"): "",
    }
    assert "How far each party stands from The mediator's plan (June text) as of" in words(
        one(page, "#plan-gaps-title")
    )
    # The date form keeps the plan when the date changes.
    assert one(page, "#date-form input[name='with']")["value"] == "plan"


def test_the_plan_as_of_december_is_its_november_text(client, session) -> None:
    talks = _setting(session)
    d0, d1, d2 = (d.slug for d in talks.demands)
    page = parse(client.get(f"/talks/{talks.negotiation.slug}?with=plan&as_of=2025-12-01"))
    assert "November text" in words(one(page, "th[data-plan='plan']"))
    assert _gaps(page, talks) == {
        (d0, "party-a"): "4",
        (d0, "party-b"): "1",
        (d1, "party-a"): "2",
        (d1, "party-b"): "",
        (d2, "party-a"): "",
        (d2, "party-b"): "2",
    }
    assert "2 · apart" in words(one(page, f"#plan-gap-table tr[data-demand='{d1}']"))


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("with=atlantis", "These talks have no proposal “atlantis”"),
        ("with=plan&as_of=2025-01-01", "had no version by 2025-01-01"),
        ("with=" + "p" * 101, ""),
    ],
)
def test_a_plan_that_cannot_be_shown_is_a_400(client, session, query, says) -> None:
    talks = _setting(session)
    response = client.get(f"/talks/{talks.negotiation.slug}?{query}")
    assert response.status_code == 400
    assert says in words(parse(response))


def test_without_a_plan_the_matrix_is_as_it_was(client, session) -> None:
    talks = _setting(session)
    page = parse(client.get(f"/talks/{talks.negotiation.slug}"))
    assert not page.select("[data-plan], [data-plan-term], #plan-gaps")


@pytest.mark.parametrize("extra", [0, 25])
def test_the_plan_costs_two_queries_more_whatever_its_points(
    client, session, queries, extra
) -> None:
    talks = _setting(session, extra_points=extra)
    path = f"/talks/{talks.negotiation.slug}?as_of=2025-12-01"
    # Another date first: the matrix's headings are then kept for this data version, for both.
    client.get(f"/talks/{talks.negotiation.slug}?as_of=2025-11-30")
    queries.clear()
    client.get(path)
    without = queries.count
    queries.clear()
    assert client.get(f"{path}&with=plan").status_code == 200
    assert queries.count == without + 2, queries.statements


def test_the_plan_is_part_of_the_cache_key(client, session) -> None:
    """The render cache keeps the matrix with and without a plan apart (the query is in its
    key); a tag is compared with its own URL's only (app/caching.py), so each revalidates."""
    talks = _setting(session)
    path = f"/talks/{talks.negotiation.slug}?as_of=2025-12-01"
    for _ in range(2):
        assert "plan-gaps" not in client.get(path).text
        with_plan = client.get(f"{path}&with=plan")
        assert "plan-gaps" in with_plan.text
    again = client.get(f"{path}&with=plan", headers={"If-None-Match": with_plan.headers["etag"]})
    assert again.status_code == 304
    assert "plan-gaps" in client.get(f"{path}&with=plan").text


def test_the_api_matrix_with_a_plan(client, session, queries) -> None:
    talks = _setting(session)
    d0, d1, _d2 = (d.slug for d in talks.demands)
    path = f"/api/negotiations/{talks.negotiation.slug}/matrix?as_of=2025-07-01"
    # Another date first: the matrix's headings are then kept for this data version, for both.
    client.get(f"/api/negotiations/{talks.negotiation.slug}/matrix?as_of=2025-06-30")
    queries.clear()
    plain = client.get(path).json()
    without = queries.count
    assert plain["plan"] is None and plain["rows"][0]["plan"] is None
    queries.clear()
    body = client.get(f"{path}&with=plan").json()
    assert queries.count == without + 2
    assert body["plan"]["version"] == "june-text"
    assert body["plan"]["url"].endswith("/proposals/plan/versions/june-text")
    rows = {row["demand"]["slug"]: row["plan"] for row in body["rows"]}
    assert rows[d0]["term"] == {
        "point": "1",
        "stance": {"value": 2, "label": "insists", "slug": "insists"},
        "value": 600000,
        "unit": "troops",
    }
    gaps = {g["party"]: g["gap"] for g in rows[d1]["gaps"]}
    assert gaps["party-a"] == 0 and gaps["party-b"] is None
    bad = client.get(f"{path}&with=atlantis")
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_the_demand_page_takes_the_plan_too(client, session, queries) -> None:
    talks = _setting(session)
    d1 = talks.demands[1].slug
    path = f"/talks/{talks.negotiation.slug}/demands/{d1}?as_of=2025-12-01"
    queries.clear()
    client.get(path)
    without = queries.count
    queries.clear()
    page = parse(client.get(f"{path}&with=plan"))
    assert queries.count == without + 2
    # November text: point 2 rejects; A accepts (gap 2), B silent.
    assert "on this demand: ▼ rejects (point 2)" in words(one(page, "#plan-term"))
    gaps = {
        tr["data-party"]: tr.select_one("[data-gap]")["data-gap"]
        for tr in page.select("#sides tbody tr")
    }
    assert gaps["party-a"] == "2" and gaps["party-b"] == ""
    assert client.get(f"{path}&with=atlantis").status_code == 400


def test_the_compare_page_takes_the_plan_too(client, session, queries) -> None:
    """Hand-worked, as of December (the November text): d0 insists (A red line: 4, B accepts:
    1), d1 rejects (A accepts: 2, B silent), d2 open (A silent, B insists: 2)."""
    talks = _setting(session)
    d0, d1, d2 = (d.slug for d in talks.demands)
    path = f"/talks/{talks.negotiation.slug}/compare?parties=party-a,party-b&as_of=2025-12-01"
    queries.clear()
    assert client.get(path).status_code == 200
    without = queries.count
    queries.clear()
    page = parse(client.get(f"{path}&with=plan"))
    assert queries.count == without + 2
    gaps = {
        (row["data-demand"], li["data-party"]): li.select_one("[data-plan-gap]")["data-plan-gap"]
        for row in page.select("#comparison [data-demand]")
        for li in row.select("li[data-party]")
    }
    assert gaps == {
        (d0, "party-a"): "4",
        (d0, "party-b"): "1",
        (d1, "party-a"): "2",
        (d1, "party-b"): "",
        (d2, "party-a"): "",
        (d2, "party-b"): "2",
    }
    terms = {
        row["data-demand"]: words(one(row, "[data-plan='plan']"))
        for row in page.select("#comparison [data-demand]")
    }
    assert "rejects point 2" in terms[d1] and "insists point 1" in terms[d0]
    assert "November text" in words(one(page, "#plan-beside"))
    # The form keeps the plan when the parties or the date change.
    assert one(page, "form.compare-form input[name='with']")["value"] == "plan"
    # Without the plan, the page is as it was: no plan column, no gaps to it.
    plain = parse(client.get(path))
    assert not plain.select("[data-plan]") and not plain.select("[data-plan-gap]")
    assert client.get(f"{path}&with=atlantis").status_code == 400
    assert client.get(f"{path}&with=plan".replace("2025-12-01", "2025-01-01")).status_code == 400


def test_the_compare_page_gives_no_gap_to_a_plan_silent_on_the_demand(client, session) -> None:
    """As of July the June text is the plan: it says nothing on d2, so d2's row says so once,
    on the plan's line, and the parties' lines carry no gap to it."""
    talks = _setting(session)
    d0, _d1, d2 = (d.slug for d in talks.demands)
    path = (
        f"/talks/{talks.negotiation.slug}/compare?parties=party-a,party-b"
        "&as_of=2025-07-01&with=plan"
    )
    page = parse(client.get(path))
    rows = {row["data-demand"]: row for row in page.select("#comparison [data-demand]")}
    assert "silent on this demand" in words(one(rows[d2], "[data-plan='plan']"))
    assert not rows[d2].select("[data-plan-gap]")
    assert len(rows[d0].select("[data-plan-gap]")) == 2
