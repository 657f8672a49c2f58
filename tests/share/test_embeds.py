"""Embeds and oEmbed (issue 20, item 4): `/embed/…` pages that anyone may frame (and nothing
else), with no cookie and no script, each with its date and a link back; `/oembed` answers with
the frame's code and problem details for what it cannot use."""

from __future__ import annotations

import datetime as dt

import pytest

from app.stances import Stance
from tests.factories import (
    make_demand,
    make_negotiation,
    make_participation,
    make_party,
    make_statement,
)
from tests.html import parse

TALKS = "/talks/russia-ukraine"
EMBEDS = {
    f"/embed{TALKS}": "#embed-matrix",
    f"/embed{TALKS}/parties/russia": "#embed-positions",
    f"/embed{TALKS}/demands/nato-renunciation": "#embed-chart",
    f"/embed{TALKS}/cells/russia/nato-renunciation": "#embed-stance",
}


@pytest.mark.parametrize(("url", "selector"), EMBEDS.items())
def test_an_embed_is_framable_by_anyone_sets_no_cookie_and_has_no_script(
    client, url, selector
) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "frame-ancestors 'none'" not in csp
    assert "script-src 'self'" in csp  # the rest of the policy holds
    assert "x-frame-options" not in response.headers
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"].startswith("public")
    html = parse(response)
    assert html.select_one(selector) is not None
    assert not html.select("script") and not html.select("form")
    assert html.select_one("#embed-as-of time")["datetime"]
    back = html.select_one("#embed-back")["href"]
    assert back.startswith(client.app.state.settings.public_base_url + TALKS)


@pytest.mark.parametrize(
    "url",
    [
        TALKS,
        f"{TALKS}/parties/russia",
        f"{TALKS}/demands/nato-renunciation",
        "/about",
        "/login",
        "/embed",  # not under the prefix: a 404 like any, unframable
        "/oembed?url=x",
    ],
)
def test_every_other_page_stays_unframable(client, url) -> None:
    response = client.get(url)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_an_embed_as_of_a_day_says_that_day_and_links_back_to_it(client) -> None:
    html = parse(client.get(f"/embed{TALKS}/parties/russia?as_of=2024-06-30"))
    assert html.select_one("#embed-as-of time")["datetime"] == "2024-06-30"
    assert html.select_one("#embed-back")["href"].endswith("/parties/russia?as_of=2024-06-30")


def test_a_draft_is_never_embedded(client, session) -> None:
    talks = make_negotiation(session, statements_need_review=True)
    party = make_party(session)
    demand = make_demand(session, negotiation=talks)
    make_participation(session, party=party, negotiation=talks)
    draft = make_statement(
        session, party=party, demand=demand, stance=Stance.INSISTS, summary="Unreviewed words"
    )
    session.commit()
    assert draft.is_draft
    for url in (
        f"/embed/talks/{talks.slug}",
        f"/embed/talks/{talks.slug}/parties/{party.slug}",
        f"/embed/talks/{talks.slug}/demands/{demand.slug}",
        f"/embed/talks/{talks.slug}/cells/{party.slug}/{demand.slug}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Unreviewed words" not in response.text
        assert "insists" not in parse(response).select_one("main").get_text()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"/embed{TALKS}/parties/nobody", 404),
        (f"/embed{TALKS}/parties/{'x' * 5000}", 404),
        (f"/embed{TALKS}/demands/nothing", 404),
        (f"/embed{TALKS}/cells/russia/nothing", 404),
        (f"/embed{TALKS}/cells/russia%00/nato-renunciation", 404),
        (f"/embed{TALKS}?as_of=0001-01-01", 400),
        (f"/embed{TALKS}?as_of={'9' * 5000}", 400),
        (f"/embed{TALKS}?as_of=%00", 400),
        (f"/embed{TALKS}?unknown=1", 400),
        ("/embed/talks/nowhere", 404),
    ],
)
def test_bad_input_on_an_embed_is_a_clear_4xx(client, url, status) -> None:
    assert client.get(url).status_code == status


# oEmbed ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "embed"),
    [
        (TALKS, f"/embed{TALKS}"),
        (f"{TALKS}/parties/russia", f"/embed{TALKS}/parties/russia"),
        (f"{TALKS}/demands/nato-renunciation", f"/embed{TALKS}/demands/nato-renunciation"),
        (
            f"/embed{TALKS}/cells/russia/nato-renunciation",
            f"/embed{TALKS}/cells/russia/nato-renunciation",
        ),
    ],
)
def test_oembed_answers_each_embeddable_page_with_its_frame(client, page, embed) -> None:
    base = client.app.state.settings.public_base_url
    response = client.get("/oembed", params={"url": base + page, "format": "json"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == "1.0" and body["type"] == "rich"
    frame = parse_fragment(body["html"])
    assert frame["src"] == base + embed
    assert int(frame["width"]) == body["width"] and int(frame["height"]) == body["height"]
    narrow = client.get(
        "/oembed", params={"url": base + page, "maxwidth": "300", "maxheight": "200"}
    ).json()
    assert (narrow["width"], narrow["height"]) == (300, 200)
    dated = client.get("/oembed", params={"url": base + page + "?as_of=2024-06-30"}).json()
    assert parse_fragment(dated["html"])["src"] == base + embed + "?as_of=2024-06-30"


def parse_fragment(html: str):  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").iframe


@pytest.mark.parametrize(
    ("params", "status", "named"),
    [
        ({"url": "{base}/talks/russia-ukraine", "format": "xml"}, 501, "format"),
        ({"format": "json"}, 400, "url"),
        ({"url": "https://elsewhere.example/talks/russia-ukraine"}, 404, "url"),
        ({"url": "{base}/about"}, 404, "url"),
        ({"url": "{base}/talks/russia-ukraine/parties/nobody"}, 404, None),
        ({"url": "{base}/talks/russia-ukraine", "maxwidth": "9" * 5000}, 400, "maxwidth"),
        ({"url": "{base}/talks/russia-ukraine", "maxwidth": "١٢"}, 400, "maxwidth"),
        ({"url": "{base}/talks/russia-ukraine", "maxheight": "0"}, 400, "maxheight"),
        ({"url": "{base}/talks/russia-ukraine?as_of=0001-01-01"}, 400, "as_of"),
        ({"url": "{base}/talks/russia-ukraine\x00"}, 400, None),
        ({"url": "x" * 5000}, 400, None),
    ],
)
def test_oembed_refuses_what_it_cannot_use_with_problem_details(
    client, params, status, named
) -> None:
    base = client.app.state.settings.public_base_url
    params = {k: v.replace("{base}", base) for k, v in params.items()}
    response = client.get("/oembed", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if named:
        assert named in [e["name"] for e in response.json()["errors"]] or status == 404


@pytest.mark.parametrize(
    "page", [TALKS, f"{TALKS}/parties/russia", f"{TALKS}/demands/nato-renunciation"]
)
def test_embeddable_pages_link_their_oembed_and_offer_the_code(client, page) -> None:
    html = parse(client.get(page))
    link = html.select('link[type="application/json+oembed"]')
    assert len(link) == 1
    href = link[0]["href"]
    assert href.startswith(client.app.state.settings.public_base_url + "/oembed?")
    assert (
        client.get(href.removeprefix(client.app.state.settings.public_base_url)).status_code == 200
    )
    box = html.select_one("#embed-code textarea[readonly]")
    frame = parse_fragment(box.get_text())
    embed = frame["src"].removeprefix(client.app.state.settings.public_base_url)
    assert embed.startswith("/embed/")
    assert client.get(embed).status_code == 200
    # Without JavaScript the button stays hidden: the box is the control.
    assert html.select_one("#embed-code button[data-copy]").has_attr("hidden")


@pytest.mark.parametrize(
    ("kind", "expected"),
    # The data version and the negotiation, then: the matrix's parties, demands, cells (with
    # their conditions and offers) and the sources behind them; the party, its
    # participation, positions, histories, conditions; the demand, positions, histories,
    # conditions; the party, its participation, the demand, the cell's history, conditions.
    [("matrix", 6), ("party", 6), ("demand", 5), ("cell", 6)],
)
def test_an_embeds_query_count_is_fixed_whatever_the_data(
    client, session, queries, kind, expected
) -> None:
    party = make_party(session, slug="busy")
    make_participation(session, party=party)
    demand = make_demand(session, slug="busy-demand")
    session.commit()
    url = {
        "matrix": "/embed/talks/russia-ukraine",
        "party": "/embed/talks/russia-ukraine/parties/busy",
        "demand": "/embed/talks/russia-ukraine/demands/busy-demand",
        "cell": "/embed/talks/russia-ukraine/cells/busy/busy-demand",
    }[kind]
    queries.clear()
    assert client.get(url).status_code == 200
    baseline = queries.count
    for day in range(1, 15):
        make_statement(
            session,
            party=party,
            demand=demand,
            stance=Stance.REJECTS if day % 2 else Stance.ACCEPTS,
            stated_on=dt.date(2025, 2, day),
        )
    session.commit()
    queries.clear()
    assert client.get(url).status_code == 200
    assert queries.count == baseline == expected
