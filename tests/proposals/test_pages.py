"""The reader pages of proposals: the list, one proposal, each version at its own URL."""

from __future__ import annotations

import pytest

from app.models import ChangeKind
from app.proposals.service import LineageFields, PointFields
from tests.html import one, parse, words
from tests.proposals.plans import make_proposal, make_talks, make_version, points

DEMO = "/talks/russia-ukraine/proposals"


def test_the_list_shows_kind_authors_and_latest_version(client) -> None:
    page = parse(client.get(DEMO))
    cards = page.select("#proposals [data-proposal]")
    # Newest latest version first: June 2024 before 2022.
    assert [c["data-proposal"] for c in cards] == [
        "russian-conditions-june-2024",
        "ukraine-peace-formula",
    ]
    russian = words(cards[0])
    assert "Conditions for talks" in russian and "Russia" in russian
    assert "Latest version: As stated in June 2024" in russian and "reported" in russian
    assert one(cards[0], "time")["datetime"] == "2024-06"
    assert one(page, 'link[rel="canonical"]')["href"].endswith(DEMO)


def test_a_proposal_shows_its_points_with_demands_and_stances(client) -> None:
    page = parse(client.get(f"{DEMO}/russian-conditions-june-2024"))
    assert "Russia's conditions for peace, June 2024" in words(one(page, "h1"))
    points = page.select("#points [data-point]")
    assert [p["data-point"] for p in points] == ["1", "2", "3"]
    first = points[0]
    assert "Ukraine renounces its NATO bid." in words(first)
    assert one(first, "[data-demand='nato-renunciation'] .stance--insists")
    assert "Ukraine must also renounce its NATO bid" in words(one(first, "blockquote"))
    assert "Associated Press" in words(one(page, "#versions"))


def test_unknown_proposals_and_versions_are_404s_that_list_the_choices(client) -> None:
    response = client.get(f"{DEMO}/atlantis-accord")
    assert response.status_code == 404
    assert f'href="{DEMO}/ukraine-peace-formula"' in response.text
    response = client.get(f"{DEMO}/ukraine-peace-formula/versions/final")
    assert response.status_code == 404
    assert f'href="{DEMO}/ukraine-peace-formula/versions/initial-peace-formula"' in response.text
    assert client.get("/talks/atlantis/proposals").status_code == 404


def _three_versions(session, count: int):  # type: ignore[no-untyped-def]
    """A plan in three versions of `count` points; the third drops point 2 and rewords 1."""
    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    make_version(session, talks, proposal, "First draft", points(talks, count))
    make_version(session, talks, proposal, "Second draft", points(talks, count, lineage=True))
    third = points(talks, count, lineage=True, prefix="Reworded: ")
    third[0] = third[0].model_copy(
        update={"predecessors": [LineageFields(number="1", change=ChangeKind.REWORDED)]}
    )
    del third[1]
    third.append(PointFields(number="99", text="A new point."))
    make_version(session, talks, proposal, "Third draft", third)
    session.commit()
    return talks, proposal


def test_the_latest_version_marks_dropped_new_and_changed_points(client, session) -> None:
    talks, proposal = _three_versions(session, 3)
    base = f"/talks/{talks.negotiation.slug}/proposals/{proposal.slug}"
    page = parse(client.get(base))
    assert "Third draft" in words(one(page, "#points-title"))
    assert [li["data-point"] for li in page.select("#dropped [data-point]")] == ["2"]
    assert "Reworded from point 1" in words(one(page, "#point-1"))
    assert "New in this version" in words(one(page, "#point-99"))
    assert "(600,000 troops)" in words(one(page, "#point-1"))
    # Each version at its own URL; by id it moves to the label's.
    second = parse(client.get(f"{base}/versions/second-draft"))
    assert "Second draft" in words(one(second, "#points-title"))
    assert not second.select("#dropped")
    assert one(second, 'link[rel="canonical"]')["href"].endswith(f"{base}/versions/second-draft")
    version_id = one(second, "#versions [aria-current='page']")
    assert version_id["data-version"] == "second-draft"


def test_a_version_by_id_moves_to_its_label(client, session) -> None:
    talks, proposal = _three_versions(session, 2)
    from sqlalchemy import select

    from app.models import ProposalVersion

    first = session.scalar(
        select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal.id, ProposalVersion.position == 1
        )
    )
    base = f"/talks/{talks.negotiation.slug}/proposals/{proposal.slug}"
    response = client.get(f"{base}/versions/{first.id}", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"{base}/versions/first-draft"


def test_pages_refuse_parameters_they_do_not_take(client) -> None:
    response = client.get(f"{DEMO}?as_off=2025-01-01", follow_redirects=False)
    assert response.status_code == 400


@pytest.mark.parametrize("count", [2, 28])
def test_a_proposal_page_costs_the_same_queries_for_2_or_28_points(
    client, session, queries, count
) -> None:
    talks, proposal = _three_versions(session, count)
    base = f"/talks/{talks.negotiation.slug}/proposals/{proposal.slug}"
    for path in (
        base,
        f"{base}/versions/second-draft",
        f"/talks/{talks.negotiation.slug}/proposals",
    ):
        queries.clear()
        assert client.get(path).status_code == 200
        # Data version, negotiation, proposal, versions (with sources and counts), authors,
        # points, their demands, their lineage, dropped points, reactions: 10. The list: data
        # version, negotiation, proposals, authors, versions: 5.
        expected = {base: 10, f"{base}/versions/second-draft": 10}.get(path, 5)
        assert queries.count == expected, (path, queries.statements)


def test_the_latest_versions_own_page_is_its_own_canonical_url(client) -> None:
    path = f"{DEMO}/ukraine-peace-formula/versions/initial-peace-formula"
    page = parse(client.get(path))
    # A permalink: it stays this version's when a newer one is entered.
    assert one(page, 'link[rel="canonical"]')["href"].endswith(path)
    assert one(page, "#versions [aria-current='page']")
    proposal = parse(client.get(f"{DEMO}/ukraine-peace-formula"))
    assert one(proposal, 'link[rel="canonical"]')["href"].endswith(f"{DEMO}/ukraine-peace-formula")
    assert one(proposal, "#versions [aria-current='true']")


def test_the_list_costs_the_same_queries_for_one_proposal_or_five(client, session, queries) -> None:
    talks, _proposal = _three_versions(session, 2)
    path = f"/talks/{talks.negotiation.slug}/proposals"
    queries.clear()
    client.get(path)
    one_proposal = queries.count
    for n in range(4):
        more = make_proposal(session, talks, slug=f"plan-{n}", title=f"Plan {n}")
        make_version(session, talks, more, "Draft", points(talks, 3))
    session.commit()
    queries.clear()
    page = parse(client.get(path))
    assert len(page.select("#proposals [data-proposal]")) == 5
    assert queries.count == one_proposal


@pytest.mark.parametrize(
    "path",
    [
        DEMO,
        f"{DEMO}/ukraine-peace-formula",
        f"{DEMO}/ukraine-peace-formula/versions/initial-peace-formula",
        "/api/negotiations/russia-ukraine/proposals",
        "/api/negotiations/russia-ukraine/proposals/ukraine-peace-formula",
    ],
)
def test_reader_views_are_cached_by_the_data_version(client, path) -> None:
    first = client.get(path)
    etag = first.headers.get("etag")
    assert etag, path
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
