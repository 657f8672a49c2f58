"""The layout's budget (issue 21), measured in a real browser on the demo: the matrix with its
headings fits the first screen of a 1280 × 800 window, reads per demand on a 375 px phone in at
most 2,400 px, never scrolls sideways, and keeps its headers in view while it scrolls."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.app_server import app_server
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

MATRIX = "/?as_of=2025-01-31"
COMPARED = "/?as_of=2025-01-31&since=2024-12-31"
# Measured before issue 21: 2,091 px (2,475 px compared) at 1280 and 5,776 px at 375.
# 2,400 px until issue 20 put the collapsed "Embed this on your site" control under the matrix
# (one line, 2,407 px in all): the budget grew by that line, not by the matrix.
PHONE_BUDGET = 2425


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A demo of its own: the budget is the demo's, and the session's server has had demands
    and statements added by the editors' tests by the time these run."""
    folder = tmp_path_factory.mktemp("layout")
    env = {"PARLEY_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"}
    with app_server(env, folder / "server.log", "--demo") as url:
        yield url


def _open(browser, server_url, path, width, height=800, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.goto(server_url + path)
    return context, page


def _matrix_bottom(page) -> float:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "document.querySelector('#matrix').getBoundingClientRect().bottom + scrollY"
    )


@pytest.mark.parametrize("path", [MATRIX, COMPARED])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_whole_matrix_fits_the_first_screen_at_1280_by_800(
    browser, server_url, path, scheme
) -> None:
    context, page = _open(browser, server_url, path, 1280, color_scheme=scheme)
    assert page.locator("#matrix tbody tr").count() == 9
    assert _matrix_bottom(page) <= 800
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_phone_matrix_reads_per_demand_within_its_budget(browser, server_url, scheme) -> None:
    context, page = _open(browser, server_url, MATRIX, 375, color_scheme=scheme)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= PHONE_BUDGET, f"the matrix page is {height} px tall at 375 px"
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    # Per demand: a card, its parties as chips, more than one to a line.
    row = page.locator('#matrix tr[data-demand="nato-renunciation"]')
    tops = row.locator("td").evaluate_all("cells => cells.map(c => c.getBoundingClientRect().top)")
    assert len(set(tops)) < len(tops)
    screenshot(page, f"layout-matrix-phone-{scheme}")
    context.close()


def test_the_compared_matrix_on_a_phone_does_not_scroll_sideways(browser, server_url) -> None:
    context, page = _open(browser, server_url, COMPARED, 375)
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_cell_opens_its_summary_by_keyboard_and_by_touch(browser, server_url, width) -> None:
    context, page = _open(browser, server_url, MATRIX, width, has_touch=width == 375)
    cell = page.locator('#matrix td[data-party="ukraine"][data-demand="russian-withdrawal"]')
    summary = cell.locator("summary")
    assert not cell.locator(".cell__summary").is_visible()
    if width == 375:
        summary.tap()
    else:
        summary.focus()
        page.keyboard.press("Enter")
    assert cell.locator(".cell__summary").is_visible()
    assert "softened" in cell.locator(".cell__summary").inner_text()
    assert cell.locator("a[href^='/statements/']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    context.close()


def test_cells_open_without_javascript(browser, server_url) -> None:
    context, page = _open(browser, server_url, MATRIX, 1280, java_script_enabled=False)
    cell = page.locator('#matrix td[data-party="russia"][data-demand="nato-renunciation"]')
    cell.locator("summary").click()
    assert cell.locator(".cell__summary").is_visible()
    context.close()


def test_the_headers_stay_in_view_while_the_matrix_scrolls(browser, server_url) -> None:
    """A matrix taller than the window scrolls inside its box, both ways, with the party row and
    the demand column held in place (shown here with a short window)."""
    context, page = _open(browser, server_url, MATRIX, 900, height=360)
    box = page.locator(".matrix-scroll")
    box.evaluate("b => { b.scrollTop = 200; b.scrollLeft = 200; }")
    top = box.evaluate("b => b.getBoundingClientRect().top")
    left = box.evaluate("b => b.getBoundingClientRect().left")
    head = page.locator('#matrix thead th[data-party="russia"]').bounding_box()
    demand = page.locator("#matrix tbody tr:nth-child(5) th").bounding_box()
    assert head is not None and demand is not None
    assert abs(head["y"] - top) <= 2
    assert abs(demand["x"] - left) <= 2
    context.close()


def test_what_changed_is_summarised_above_the_matrix(browser, server_url) -> None:
    context, page = _open(browser, server_url, COMPARED, 1280)
    strip = page.locator("#changes")
    assert "1 shift since 31 December 2024" in strip.inner_text()
    # The arrow is for the eye; a screen reader hears "insists to open / conditional".
    move = strip.locator(".changes__move")
    assert " ".join(move.inner_text().split()) == "insists → to open / conditional"
    strip.locator("a").first.click()
    assert page.url.endswith("#cell-ukraine-russian-withdrawal")
    # The strip sits above the table.
    assert strip.bounding_box()["y"] < page.locator("#matrix-table").bounding_box()["y"]
    context.close()


def test_the_matrix_prints_on_one_page(browser, server_url) -> None:
    context, page = _open(browser, server_url, COMPARED, 1280)
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the matrix prints on {pages} pages"
    context.close()


@pytest.fixture(scope="module")
def large_url(tmp_path_factory):  # type: ignore[no-untyped-def]
    """20 parties × 40 demands of generated data (app/synthetic_data.py) on SQLite, in one
    negotiation (`talks-1`), so that its matrix is all of them."""
    folder = tmp_path_factory.mktemp("large")
    database = f"sqlite:///{folder / 'large.db'}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "bench-data",
            "--statements",
            "3000",
            "--negotiations",
            "1",
            "--database-url",
            database,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with app_server({"PARLEY_DATABASE_URL": database}, folder / "server.log") as url:
        yield url


@pytest.mark.parametrize("width", [1280, 375])
def test_a_large_matrix_scrolls_in_its_box_with_its_headers_in_view(
    browser, large_url, width
) -> None:
    context, page = _open(browser, large_url, "/talks/talks-1", width)
    assert page.locator("#matrix thead th[data-party]").count() == 20
    assert page.locator("#matrix tbody tr").count() == 40
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    if width == 1280:
        box = page.locator(".matrix-scroll")
        box.scroll_into_view_if_needed()
        box.evaluate("b => { b.scrollTop = 900; b.scrollLeft = 1200; }")
        rect = box.evaluate("b => { const r = b.getBoundingClientRect(); return [r.top, r.left]; }")
        head = page.locator("#matrix thead th[data-party]").nth(12).bounding_box()
        demand = page.locator("#matrix tbody tr").nth(25).locator("th").bounding_box()
        assert head is not None and demand is not None
        assert abs(head["y"] - rect[0]) <= 2, "the party row scrolled away"
        assert abs(demand["x"] - rect[1]) <= 2, "the demand column scrolled away"
        # A cell under both headers still opens.
        page.locator("#matrix tbody tr").nth(25).locator("td summary").nth(12).click()
    screenshot(page, f"layout-large-matrix-{width}")
    context.close()
