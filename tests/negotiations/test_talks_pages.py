"""Demand, compare and party pages are a negotiation's; the party page across negotiations.

A second negotiation ("sudan") shares the United States with the demo's talks: nothing of one
may show in the other's pages.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from app.models import Demand, Negotiation, Party, Statement
from app.templating import TEMPLATES_DIR
from tests.factories import make_party
from tests.html import one, parse, words
from tests.negotiations.test_pages import second_talks

T = "/talks/russia-ukraine"


def test_a_demand_page_lists_only_its_negotiations_participants(client, session) -> None:
    second_talks(session)
    sudan = parse(client.get("/talks/sudan/demands/humanitarian-truce"))
    assert [tr["data-party"] for tr in sudan.select("#sides tbody tr")] == ["united-states"]
    assert "partial truce" in words(one(sudan, "#sides"))
    ukraine = parse(client.get(f"{T}/demands/russian-withdrawal"))
    parties = [tr["data-party"] for tr in ukraine.select("#sides tbody tr")]
    assert parties == ["russia", "ukraine", "united-states", "european-allies"]
    assert "truce" not in words(one(ukraine, "main"))


def test_a_demand_of_other_talks_is_a_404_offering_these_talks_demands(client, session) -> None:
    second_talks(session)
    response = client.get(f"{T}/demands/humanitarian-truce")
    assert response.status_code == 404
    offered = [a["href"] for a in parse(response).select(".choices a")]
    assert len(offered) == 9 and all(href.startswith(f"{T}/demands/") for href in offered)
    assert client.get("/talks/sudan/demands/russian-withdrawal").status_code == 404


def test_the_demands_index_is_the_talks_own(client, session, queries) -> None:
    second_talks(session)
    queries.clear()
    page = parse(client.get("/talks/sudan/demands"))
    assert queries.count == 3  # data version, the negotiation, its demands
    assert [li["data-demand"] for li in page.select("#demands li")] == ["humanitarian-truce"]
    assert len(parse(client.get(f"{T}/demands")).select("#demands li")) == 9


def test_compare_takes_only_participants_and_says_who_is_not_one(client, session) -> None:
    second_talks(session)
    before = session.scalar(select(Statement.id).order_by(Statement.id.desc()).limit(1))
    response = client.get("/talks/sudan/compare?parties=united-states,russia")
    assert response.status_code == 400
    assert "“Russia” does not take part in Sudan talks" in words(
        one(parse(response), "[role=alert]")
    )
    response = client.get("/talks/sudan/compare?parties=united-states,atlantis")
    assert response.status_code == 400
    assert "There is no party “atlantis”" in response.text
    forged = client.get("/talks/sudan/compare?parties=" + "x" * 5000 + ",united-states")
    assert forged.status_code == 400
    assert "x" * 65 not in forged.text
    assert session.scalar(select(Statement.id).order_by(Statement.id.desc()).limit(1)) == before
    # The picker offers the talks' participants only.
    picker = parse(client.get("/talks/sudan/compare"))
    assert [i["value"] for i in picker.select("input[name=parties]")] == ["united-states"]


def test_compare_shows_only_these_talks_demands(client, session) -> None:
    second_talks(session)
    page = parse(client.get(f"{T}/compare?parties=russia,united-states"))
    demands = [li["data-demand"] for li in page.select("#comparison > li")]
    assert len(demands) == 9 and "humanitarian-truce" not in demands


def test_the_party_within_talks_shows_its_role_and_only_these_talks(client, session) -> None:
    second_talks(session)
    sudan = parse(client.get("/talks/sudan/parties/united-states"))
    assert "mediator in Sudan talks" in words(one(sudan, "#role"))
    assert [tr["data-demand"] for tr in sudan.select("#positions tbody tr")] == [
        "humanitarian-truce"
    ]
    ukraine = parse(client.get(f"{T}/parties/united-states"))
    rows = [tr["data-demand"] for tr in ukraine.select("#positions tbody tr")]
    assert len(rows) == 9 and "humanitarian-truce" not in rows
    assert "truce" not in words(one(ukraine, "main"))
    assert one(ukraine, "#across")["href"] == "/parties/united-states"


def test_a_party_not_taking_part_is_a_404_offering_the_participants(client, session) -> None:
    second_talks(session)
    response = client.get("/talks/sudan/parties/russia")
    assert response.status_code == 404
    assert "“Russia” does not take part in Sudan talks" in response.text
    assert [a["href"] for a in parse(response).select(".choices a")] == [
        "/talks/sudan/parties/united-states"
    ]
    for slug in ("atlantis", "x" * 5000):
        assert client.get(f"/talks/sudan/parties/{slug}").status_code == 404
        assert client.get(f"/parties/{slug}").status_code == 404
        assert client.get(f"{T}/demands/{slug}").status_code == 404


def test_the_party_across_negotiations_groups_its_positions(client, session, queries) -> None:
    second_talks(session)
    queries.clear()
    page = parse(client.get("/parties/united-states?as_of=2099-01-01"))
    # Data version, the party, its participations, the demands of its talks, their histories
    # (with their conditions and positions).
    assert queries.count == 5
    groups = page.select(".party-talks")
    assert [g["data-talks"] for g in groups] == ["russia-ukraine", "sudan"]
    assert "mediator" in words(one(groups[1], "h2"))
    assert one(groups[1], "h2 a")["href"] == "/talks/sudan/parties/united-states?as_of=2099-01-01"
    assert [tr["data-demand"] for tr in groups[1].select("tbody tr")] == ["humanitarian-truce"]
    assert len(groups[0].select("tbody tr")) == 9
    assert "truce" not in words(groups[0])
    demand_link = one(groups[1], "tbody th a")["href"]
    assert demand_link == "/talks/sudan/demands/humanitarian-truce?as_of=2099-01-01"
    # Ids stay unique: demand slugs are unique within a negotiation only.
    ids = [tag["id"] for tag in page.select("[id]")]
    assert len(ids) == len(set(ids))


def test_the_parties_index_shows_each_partys_negotiations_and_roles(client, session, queries):
    second_talks(session)
    make_party(session, slug="loner", name="Loner")
    session.commit()
    queries.clear()
    page = parse(client.get("/parties"))
    assert queries.count == 3  # data version, the parties, every participation
    us = one(page, '[data-party="united-states"]')
    assert [li["data-talks"] for li in us.select(".party-roles li")] == ["russia-ukraine", "sudan"]
    assert us.select(".party-roles li")[1].get_text() == "Sudan talks: mediator"
    assert "no negotiation" in words(one(page, '[data-party="loner"]'))


def test_statement_page_names_its_negotiation_and_links_within_it(client, session) -> None:
    second_talks(session)
    statement_id = session.scalar(
        select(Statement.id).join(Demand).where(Demand.slug == "humanitarian-truce").limit(1)
    )
    page = parse(client.get(f"/statements/{statement_id}"))
    crumbs = one(page, "#breadcrumb")
    assert "Sudan talks" in words(crumbs)
    assert [a["href"] for a in one(page, "h1").select("a")] == [
        "/talks/sudan/parties/united-states",
        "/talks/sudan/demands/humanitarian-truce",
    ]
    assert "Sudan talks" in words(one(page, "#talks-nav"))


def test_pages_of_a_negotiation_have_its_row_of_navigation(client, session) -> None:
    second_talks(session)
    for path, current in [
        ("/talks/sudan", "Matrix"),
        ("/talks/sudan/demands", "Demands"),
        ("/talks/sudan/demands/humanitarian-truce", "Demands"),
        ("/talks/sudan/compare", "Compare"),
        ("/talks/sudan/parties/united-states", None),
    ]:
        page = parse(client.get(path))
        nav = one(page, "#talks-nav")
        assert nav["aria-label"] == "Sudan talks"
        hrefs = [a["href"] for a in nav.select("a")]
        assert hrefs[1:4] == ["/talks/sudan", "/talks/sudan/demands", "/talks/sudan/compare"]
        marked = [words(a) for a in nav.select("a[aria-current]")]
        assert marked == ([current] if current else []), path
        main_nav = [words(a) for a in page.select('nav[aria-label="Main"] a')]
        assert "Demands" not in main_nav and "Compare" not in main_nav
    # Elsewhere the main navigation has them, by the old URLs that move or ask.
    about = parse(client.get("/about"))
    assert not about.select("#talks-nav")
    hrefs = [a["href"] for a in about.select('nav[aria-label="Main"] a')]
    assert "/demands" in hrefs and "/compare" in hrefs


def test_no_template_names_a_war_or_the_site(session) -> None:
    """The site's name comes from PARLEY_SITE_NAME, the talks' names from the database."""
    names = {
        word
        for value in [
            *session.scalars(select(Negotiation.title)),
            *session.scalars(select(Party.name)),
            *session.scalars(select(Party.slug)),
        ]
        for word in re.split(r"[\s–—-]+", value)
        if len(word) > 4 and word.lower() not in {"talks", "states", "united", "allies"}
    } | {"Parley", "Gaza", "Israel", "Hamas", "Sudan", "Kremlin", "Kyiv"}
    found = []
    for template in Path(TEMPLATES_DIR).rglob("*.html"):
        text = template.read_text().replace("css/parley.css", "")
        found += [f"{template.name}: {n}" for n in names if re.search(rf"\b{n}\b", text, re.I)]
    assert found == []


def test_the_scoped_pages_follow_the_canonical_url_rules(client) -> None:
    for path in (
        f"{T}/demands",
        f"{T}/demands/russian-withdrawal",
        f"{T}/compare",
        f"{T}/parties/russia",
        "/parties/russia",
    ):
        refused = client.get(f"{path}?as_off=2025-01-31", follow_redirects=False)
        assert refused.status_code == 400, path
        assert "as_off" in refused.text
        if path != f"{T}/demands":
            tidied = client.get(f"{path}?as_of=", follow_redirects=False)
            assert (tidied.status_code, tidied.headers["location"]) == (308, path)
        assert (
            client.get(path, follow_redirects=False).headers["cache-control"].startswith("public")
        ), path
    assert client.get("/talks/atlantis/demands").status_code == 404
    assert client.get("/talks/atlantis/parties/russia").status_code == 404
    assert client.get("/talks/" + "x" * 5000 + "/compare").status_code == 404
