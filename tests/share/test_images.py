"""Share images (issue 20, item 3): a 1200 × 630 PNG per party, cell, demand and comparison that
carries its context in the picture, drawn from published statements only, kept by data
version, and linked from the pages' Open Graph tags."""

from __future__ import annotations

import os
import struct

import pytest

from app.demands.queries import demand_in, demand_page
from app.negotiations.queries import negotiation_by_slug
from app.parties.queries import party_by_slug
from app.share.cards import cell_card, cell_page, demand_card
from app.share.images import card_svg
from app.stances import Stance
from tests.factories import make_demand, make_negotiation, make_party, make_statement
from tests.html import parse

TALKS = "/talks/russia-ukraine"
IMAGES = [
    "/parties/united-states/share.png",
    f"{TALKS}/parties/russia/share.png",
    f"{TALKS}/demands/nato-renunciation/share.png",
    f"{TALKS}/cells/russia/nato-renunciation/share.png",
    f"{TALKS}/compare/share.png?parties=russia,ukraine",
]


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


@pytest.mark.parametrize("url", IMAGES)
def test_each_share_image_is_a_1200_by_630_png_that_a_shared_cache_may_keep(client, url) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "image/png"
    assert png_size(response.content) == (1200, 630)
    assert response.headers["cache-control"].startswith("public")
    again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_the_image_says_the_date_the_stances_in_words_and_the_sources(client, session) -> None:
    russia = party_by_slug(session, "russia")
    talks = negotiation_by_slug(session, "russia-ukraine")
    assert russia is not None and talks is not None
    demand = demand_in(session, talks.id, "nato-renunciation")
    assert demand is not None
    import datetime as dt

    page = cell_page(session, talks, russia, demand, dt.date(2025, 6, 1), lambda i: f"/s/{i}")
    svg = card_svg(
        client.app.state.templates.env, cell_card(page), site="Parley", url="example.org/x"
    )
    assert "As of 1 June 2025" in svg
    assert "1 source" in svg
    assert "insists" in svg  # the stance in words, not only a colour
    assert "Russia on “Ukraine renounces its NATO membership bid”" in svg
    # The page's own chart drawing, not a copy of it.
    assert 'class="chart__svg chart__svg--wide"' in svg

    demand_svg = card_svg(
        client.app.state.templates.env,
        demand_card(demand_page(session, demand, dt.date(2025, 6, 1), lambda i: ""), talks),
        site="Parley",
        url="example.org/x",
    )
    for name in ("Russia", "Ukraine", "United States", "European allies"):
        assert name in demand_svg


def test_a_draft_is_never_drawn(client, session) -> None:
    talks = make_negotiation(session, statements_need_review=True)
    party = make_party(session)
    demand = make_demand(session, negotiation=talks)
    # The party takes part (a published statement elsewhere would not make it one here).
    url = f"/talks/{talks.slug}/cells/{party.slug}/{demand.slug}/share.png"
    from tests.factories import make_participation

    make_participation(session, party=party, negotiation=talks)
    session.commit()
    before = client.get(url)
    assert before.status_code == 200
    draft = make_statement(session, party=party, demand=demand, stance=Stance.INSISTS)
    session.commit()
    assert draft.is_draft
    after = client.get(url)
    assert after.status_code == 200
    # A write happened (a new data version), yet the picture is the same: the draft is not in it.
    assert after.headers["etag"] != before.headers["etag"]
    assert after.content == before.content
    for kind in (
        f"/talks/{talks.slug}/parties/{party.slug}/share.png",
        f"/talks/{talks.slug}/demands/{demand.slug}/share.png",
    ):
        assert client.get(kind).status_code == 200


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{TALKS}/parties/nobody/share.png", 404),
        (f"{TALKS}/parties/{'x' * 5000}/share.png", 404),
        (f"{TALKS}/cells/russia/nothing/share.png", 404),
        (f"{TALKS}/cells/nobody/nato-renunciation/share.png", 404),
        (f"{TALKS}/demands/nato-renunciation/share.png?as_of=0001-01-01", 400),
        (f"{TALKS}/demands/nato-renunciation/share.png?as_of={'9' * 5000}", 400),
        (f"{TALKS}/parties/russia/share.png?as_of=2024-02-30", 400),
        (f"{TALKS}/parties/russia%00/share.png", 404),
        (f"{TALKS}/compare/share.png?parties=russia", 400),
        (f"{TALKS}/compare/share.png?parties=russia,nobody", 400),
        (f"{TALKS}/compare/share.png?parties=russia,russia", 400),
        (f"{TALKS}/compare/share.png", 400),
        ("/talks/nowhere/parties/russia/share.png", 404),
        ("/parties/nobody/share.png", 404),
        ("/parties/russia/share.png?as_of=10000-01-01", 400),
    ],
)
def test_bad_input_is_a_clear_4xx(client, url, status) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("page", "image"),
    [
        (f"{TALKS}/parties/russia", f"{TALKS}/parties/russia/share.png"),
        ("/parties/russia?as_of=2025-01-31", "/parties/russia/share.png?as_of=2025-01-31"),
        (
            f"{TALKS}/demands/nato-renunciation?as_of=2025-06-01",
            f"{TALKS}/demands/nato-renunciation/share.png?as_of=2025-06-01",
        ),
        (
            f"{TALKS}/compare?parties=russia,ukraine",
            f"{TALKS}/compare/share.png?parties=russia%2Cukraine",
        ),
    ],
)
def test_pages_name_their_share_image_with_an_absolute_url(client, page, image) -> None:
    html = parse(client.get(page))
    base = client.app.state.settings.public_base_url
    assert html.select_one('meta[property="og:image"]')["content"] == base + image
    assert html.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"
    assert client.get(image).status_code == 200


@pytest.mark.parametrize(
    "page", ["/about", "/sources", f"{TALKS}", "/parties", f"{TALKS}/timeline"]
)
def test_every_reader_page_has_open_graph_and_twitter_tags_once(client, page) -> None:
    html = parse(client.get(page))
    base = client.app.state.settings.public_base_url
    for tag in (
        'meta[property="og:title"]',
        'meta[property="og:description"]',
        'meta[property="og:url"]',
        'meta[name="twitter:card"]',
    ):
        assert len(html.select(tag)) == 1, (page, tag)
    assert html.select_one('meta[property="og:url"]')["content"].startswith(base + "/")


def test_the_renderer_refuses_rather_than_draw_boxes_for_missing_fonts(tmp_path) -> None:
    # Pango draws a box per letter when fontconfig finds no font, so "something was drawn" is not
    # enough: the probe needs real glyph widths. A fresh process, since fontconfig reads its
    # configuration once, on the first render.
    import subprocess
    import sys

    empty = tmp_path / "fonts.conf"
    empty.write_text(f"<?xml version='1.0'?><fontconfig><dir>{tmp_path}</dir></fontconfig>")
    script = (
        "import os, sys\n"
        "from app.share import images\n"
        "os.environ['FONTCONFIG_FILE'] = sys.argv[1]\n"
        "try:\n"
        "    images.render_png(images._PROBE.format('x'))\n"
        "except images.FontsMissing as e:\n"
        "    print('refused', e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(empty)], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.startswith("refused"), done.stdout + done.stderr
    assert "no usable DejaVu Sans" in done.stdout


def test_the_image_has_the_words_in_dejavu(client) -> None:
    # The real renderer, the project's fonts.conf: the probe passes, and a card carries ink.
    from app.share import images

    images.check_fonts()
    assert images._ink_width("WWWW") > 2 * images._ink_width("iiii") > 0
    assert os.environ["FONTCONFIG_FILE"].endswith("app/share/fonts.conf")
    body = client.get(f"{TALKS}/cells/russia/nato-renunciation/share.png").content
    picture = images.pyvips.Image.pngload_buffer(body)
    # The footer's "As of …" line in near-black, on white.
    footer = picture.crop(48, 560, 560, 40)[0]
    assert footer.min() < 60 and footer.max() == 255
