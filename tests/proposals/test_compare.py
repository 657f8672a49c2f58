"""Version against version: points side by side by lineage, hand-worked."""

from __future__ import annotations

import pytest

from app.models import ChangeKind
from app.proposals.service import LineageFields, PointDemandFields, PointFields
from app.stances import Stance
from tests.html import one, parse, words
from tests.proposals.plans import make_proposal, make_talks, make_version

UN = ChangeKind.UNCHANGED


def _point(number, text, demand=None, stance=Stance.INSISTS, value=None, unit=None, came=()):  # type: ignore[no-untyped-def]
    return PointFields(
        number=number,
        text=text,
        demands=[]
        if demand is None
        else [PointDemandFields(demand_id=demand.id, stance=stance, value=value, unit=unit)],
        predecessors=[LineageFields(number=n, change=c) for n, c in came],
    )


def _plan(session):  # type: ignore[no-untyped-def]
    """Draft A: 1 army cap 600,000; 2 and 3 on the border; 4 on sanctions; 5 on elections.
    Draft B: 1 changed to 800,000; 2 merges 2 and 3; 4 dropped; 5 unchanged; 6 added.
    Draft C: 1 unchanged; 2 reworded; 5 split into 5a and 5b; 6 unchanged."""
    talks = make_talks(session, demands=4)
    army, border, sanctions, elections = talks.demands
    proposal = make_proposal(session, talks)
    make_version(
        session,
        talks,
        proposal,
        "Draft A",
        [
            _point("1", "Army capped.", army, value=600_000, unit="troops"),
            _point("2", "Line of contact frozen.", border),
            _point("3", "Demilitarised zone.", border, stance=Stance.ACCEPTS),
            _point("4", "Sanctions lifted.", sanctions),
            _point("5", "Elections in 100 days.", elections),
        ],
    )
    make_version(
        session,
        talks,
        proposal,
        "Draft B",
        [
            _point(
                "1",
                "Army capped.",
                army,
                value=800_000,
                unit="troops",
                came=[("1", ChangeKind.CHANGED)],
            ),
            _point(
                "2",
                "Frozen line with a zone.",
                border,
                stance=Stance.ACCEPTS,
                came=[("2", ChangeKind.MERGED), ("3", ChangeKind.MERGED)],
            ),
            _point("5", "Elections in 100 days.", elections, came=[("5", UN)]),
            _point("6", "A new council.", None),
        ],
    )
    make_version(
        session,
        talks,
        proposal,
        "Draft C",
        [
            _point("1", "Army capped.", army, value=800_000, unit="troops", came=[("1", UN)]),
            _point(
                "2",
                "The line frozen, a zone beside it.",
                border,
                stance=Stance.ACCEPTS,
                came=[("2", ChangeKind.REWORDED)],
            ),
            _point("5a", "Elections.", elections, came=[("5", ChangeKind.SPLIT)]),
            _point("5b", "Observers.", None, came=[("5", ChangeKind.SPLIT)]),
            _point("6", "A new council.", None, came=[("6", UN)]),
        ],
    )
    session.commit()
    return talks, proposal


def _rows(page):  # type: ignore[no-untyped-def]
    return [
        (
            [p["data-point"] for p in row.select(".diff__before [data-point]")],
            row["data-kind"],
            [p["data-point"] for p in row.select(".diff__after [data-point]")],
        )
        for row in page.select("#diff tbody tr")
    ]


def test_adjacent_versions_side_by_side(client, session) -> None:
    talks, proposal = _plan(session)
    base = f"/talks/{talks.negotiation.slug}/proposals/{proposal.slug}/compare"
    page = parse(client.get(f"{base}?from=draft-a&to=draft-b"))
    assert _rows(page) == [
        (["1"], "changed", ["1"]),
        (["2", "3"], "merged", ["2"]),
        (["4"], "dropped", []),
        (["5"], "unchanged", ["5"]),
        ([], "added", ["6"]),
    ]
    army = one(page, "#row-1-to-1")
    # The value compared, in words as well as numbers: not colour alone.
    assert "insists 600,000 troops → became 800,000 troops (value changed)" in words(army)
    merged = one(page, "#row-2_3-to-2")
    assert "Merged : points 2 and 3 into 2" in words(merged)
    border = words(one(merged, "[data-demand]"))
    # The first point of the earlier side speaks for it: 2 insisted, the merged point accepts.
    assert "insists → became ▲ accepts (changed)" in border
    assert "Dropped" in words(one(page, "#row-4-to-none"))
    assert one(page, "#row-4-to-none del")
    assert "no longer addressed" in words(one(page, "#row-4-to-none"))
    assert "Added" in words(one(page, "#row-none-to-6"))
    assert (
        words(one(page, "#diff-summary"))
        == "1 unchanged · 1 changed · 1 merged · 1 added · 1 dropped"
    )


def test_versions_two_apart_follow_lineage_through_the_one_between(client, session) -> None:
    talks, proposal = _plan(session)
    base = f"/talks/{talks.negotiation.slug}/proposals/{proposal.slug}/compare"
    page = parse(client.get(f"{base}?from=draft-a&to=draft-c"))
    assert _rows(page) == [
        # Changed then unchanged: changed, end to end.
        (["1"], "changed", ["1"]),
        # Merged then reworded: still a merger of two.
        (["2", "3"], "merged", ["2"]),
        (["4"], "dropped", []),
        (["5"], "split", ["5a", "5b"]),
        ([], "added", ["6"]),
    ]
    assert "Split : point 5 into 5a and 5b" in words(one(page, "#row-5-to-5a_5b"))
    # Without parameters: the latest against the one before it.
    latest = parse(client.get(base))
    assert _rows(latest) == [
        (["1"], "unchanged", ["1"]),
        (["2"], "reworded", ["2"]),
        (["5"], "split", ["5a", "5b"]),
        (["6"], "unchanged", ["6"]),
    ]
    assert "Draft B against Draft C" in words(one(latest, "h1"))


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("from=draft-z&to=draft-b", 404, "has no version “draft-z” (the from parameter)"),
        ("from=draft-a&to=" + "x" * 101, 400, ""),
        ("from=draft-b&to=draft-a", 400, "put the earlier version in from"),
        ("from=draft-a&to=draft-a", 400, "Pick two different versions"),
        ("from=draft-a&until=draft-b", 400, ""),
    ],
)
def test_bad_versions_get_a_clear_page(client, session, query, status, says) -> None:
    talks, proposal = _plan(session)
    base = f"/talks/{talks.negotiation.slug}/proposals/{proposal.slug}/compare"
    response = client.get(f"{base}?{query}")
    assert response.status_code == status, response.text[:500]
    assert says in words(parse(response))


def test_a_single_version_has_nothing_to_compare(client, session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    make_version(session, talks, proposal, "Only", [_point("1", "One.")])
    session.commit()
    response = client.get(f"/talks/{talks.negotiation.slug}/proposals/plan/compare")
    assert response.status_code == 400
    assert "nothing to compare it with yet" in response.text


@pytest.mark.parametrize("count", [3, 28])
def test_the_compare_costs_the_same_queries_for_3_or_28_points(
    client, session, queries, count
) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    for index, label in enumerate(["One", "Two", "Three"]):
        make_version(
            session,
            talks,
            proposal,
            label,
            [
                _point(
                    str(n),
                    f"Point {n}.",
                    talks.demands[n % 3],
                    came=[(str(n), UN)] if index else [],
                )
                for n in range(1, count + 1)
            ],
        )
    session.commit()
    queries.clear()
    path = f"/talks/{talks.negotiation.slug}/proposals/plan/compare?from=one&to=three"
    page = parse(client.get(path))
    assert len(page.select("#diff tbody tr")) == count
    # Data version, negotiation, proposal, versions; points of the span, their lineage, the
    # demands of both ends' points: 7.
    assert queries.count == 7, queries.statements


def test_two_plans_aligned_by_demand_in_the_first_ones_numbering(client, session, queries) -> None:
    talks = make_talks(session, demands=3)
    army, border, sanctions = talks.demands
    ours = make_proposal(session, talks)
    make_version(
        session,
        talks,
        ours,
        "Ours",
        [
            _point("7", "Border.", border, stance=Stance.REJECTS),
            _point("12a", "Army.", army, value=600_000, unit="troops"),
        ],
    )
    theirs = make_proposal(session, talks, slug="theirs", title="Their plan")
    make_version(
        session,
        talks,
        theirs,
        "Theirs",
        [
            _point("1", "Army.", army, stance=Stance.ACCEPTS, value=800_000, unit="troops"),
            _point("2", "Sanctions.", sanctions, stance=Stance.RED_LINE),
        ],
    )
    session.commit()
    base = f"/talks/{talks.negotiation.slug}/proposals/compare"
    queries.clear()
    page = parse(client.get(f"{base}?a=plan&b=theirs"))
    rows = [
        (
            r["data-demand"],
            words(r.select_one("[data-side=a]")),
            words(r.select_one("[data-side=b]")),
            r.select_one("[data-gap]")["data-gap"],
        )
        for r in page.select("#plans tbody tr")
    ]
    assert rows == [
        (border.slug, "The mediator's plan 7. ▼ rejects", "Their plan silent", ""),
        (
            army.slug,
            "The mediator's plan 12a. ▲▲ insists 600,000 troops",
            "Their plan 1. ▲ accepts 800,000 troops",
            "1",
        ),
        (sanctions.slug, "The mediator's plan silent", "Their plan 2. ▼▼ red line", ""),
    ]
    # Data version, negotiation, the list, its authors and versions; each plan and its terms;
    # the demands: 10.
    assert queries.count == 10, queries.statements
    assert client.get(base).status_code == 200
    for query, status in [
        ("a=plan", 400),
        ("a=plan&b=plan", 400),
        ("a=plan&b=nope", 400),
        ("a=plan&b=theirs&as_of=1999-01-01", 400),
        ("a=plan&b=theirs&as_of=0001-13-01", 400),
    ]:
        assert client.get(f"{base}?{query}").status_code == status, query


def test_the_api_compares_versions(client, session) -> None:
    talks, proposal = _plan(session)
    base = f"/api/negotiations/{talks.negotiation.slug}/proposals/{proposal.slug}"
    body = client.get(f"{base}/compare?from=draft-a&to=draft-c").json()
    assert [(r["before"], r["kind"], r["after"]) for r in body["rows"]] == [
        (["1"], "changed", ["1"]),
        (["2", "3"], "merged", ["2"]),
        (["4"], "dropped", []),
        (["5"], "split", ["5a", "5b"]),
        ([], "added", ["6"]),
    ]
    army = body["rows"][0]["terms"][0]
    assert (army["before"]["value"], army["after"]["value"], army["change"]) == (
        600000,
        800000,
        "changed",
    )
    assert body["before"]["slug"] == "draft-a" and body["after"]["slug"] == "draft-c"
    for query in ("from=draft-c&to=draft-a", "from=nope", "from=" + "x" * 101):
        bad = client.get(f"{base}/compare?{query}")
        assert bad.status_code in (400, 422), query
        assert bad.headers["content-type"].startswith("application/problem+json")


def test_a_versions_points_as_csv(client, session) -> None:
    import csv

    talks, proposal = _plan(session)
    base = f"/api/negotiations/{talks.negotiation.slug}/proposals/{proposal.slug}"
    response = client.get(f"{base}/points.csv?version=draft-b")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(response.text.splitlines()))
    assert [(r["point"], r["demand"], r["value"], r["predecessors"]) for r in rows] == [
        ("1", talks.demands[0].slug, "800000", "1:changed"),
        ("2", talks.demands[1].slug, "", "2:merged;3:merged"),
        ("5", talks.demands[3].slug, "", "5:unchanged"),
        ("6", "", "", ""),
    ]
    assert rows[0]["stance"] == "2" and rows[0]["unit"] == "troops"
    assert rows[0]["url"].endswith("/versions/draft-b#point-1")
    latest = list(csv.DictReader(client.get(f"{base}/points.csv").text.splitlines()))
    assert {r["version"] for r in latest} == {"draft-c"}
    assert client.get(f"{base}/points.csv?version=nope").status_code == 400


def test_csv_cells_a_spreadsheet_would_run_are_defused(client, session) -> None:
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    make_version(session, talks, proposal, "Draft", [_point("1", '=HYPERLINK("x")')])
    session.commit()
    text = client.get(f"/api/negotiations/{talks.negotiation.slug}/proposals/plan/points.csv").text
    assert "'=HYPERLINK" in text


def test_an_atom_entry_for_each_new_version(client, session, settings) -> None:
    from lxml import etree

    talks, proposal = _plan(session)
    listing = parse(client.get(f"/talks/{talks.negotiation.slug}/proposals"))
    href = one(listing, 'link[rel="alternate"][href$="/proposals.atom"]')["href"]
    assert href.endswith(f"/talks/{talks.negotiation.slug}/proposals.atom")
    response = client.get(f"/talks/{talks.negotiation.slug}/proposals.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = etree.fromstring(response.content)
    titles = [t.text for t in root.findall("a:entry/a:title", ns)]
    assert titles == [
        "The mediator's plan: Draft C (20 November 2025, leaked)",
        "The mediator's plan: Draft B (20 November 2025, leaked)",
        "The mediator's plan: Draft A (20 November 2025, leaked)",
    ]
    ids = [i.text for i in root.findall("a:entry/a:id", ns)]
    assert all(i.startswith(f"tag:{settings.tag_authority}:proposal-version/") for i in ids)
    links = [link.get("href") for link in root.findall("a:entry/a:link", ns)]
    assert links[0].endswith(f"/proposals/{proposal.slug}/versions/draft-c")
    assert client.get(f"/talks/{talks.negotiation.slug}/proposals.atom?x=1").status_code == 400
