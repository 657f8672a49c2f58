from __future__ import annotations

import pytest

from tests.html import one, parse, words


def test_about_explains_scale_position_gap_precision_and_citing(client) -> None:
    page = parse(client.get("/about"))
    scale = [tr["data-stance"] for tr in page.select("#scale-table tbody tr")]
    assert scale == ["insists", "accepts", "open", "rejects", "red-line"]
    for anchor in ("as-of", "gap", "dates", "cite"):
        assert one(page, f"#{anchor}")
    precision = words(one(page, "#precision-table"))
    assert "June 2024" in precision and "2024-06" in precision and "1 June 2024" in precision
    assert "as_of" in words(one(page, "#cite + p"))


@pytest.mark.parametrize(
    "path",
    ["/", "/parties", "/demands/russian-withdrawal", "/compare", "/timeline", "/sources", "/about"],
)
def test_every_page_has_the_navigation_and_the_footer_links(client, path: str) -> None:
    page = parse(client.get(path))
    nav = [a["href"] for a in page.select('header nav[aria-label="Main"] a')]
    # Demands, Compare and Timeline are a negotiation's: on its pages (`/` shows the only one's
    # matrix; the old URLs move there), they are in its own row of the navigation instead, and
    # its feed is the page's.
    talks = path in ("/", "/demands/russian-withdrawal", "/compare", "/timeline")
    timeline = "/talks/russia-ukraine/timeline" if talks else "/timeline"
    assert nav == [
        "/",
        "/parties",
        *([] if talks else ["/demands", "/compare", "/timeline"]),
        "/sources",
        "/search",
        "/about",
        "/login",  # editors' part of the header, for a reader without a session
    ]
    current = page.select('header nav[aria-label="Main"] a[aria-current=page]')
    assert len(current) == 1
    footer = [a["href"] for a in page.select("footer a")]
    assert "/docs" in footer and f"{timeline}.atom" in footer
