"""A 20-point version pasted, split and mapped with the keyboard only, in a real Chromium,
timed (printed, never asserted); screenshots of the version form at 1280 and 375 px."""

from __future__ import annotations

import time

import pytest

from tests.browser.test_editors import both_widths, log_in, tab_to

pytestmark = pytest.mark.browser

PLAN = "/talks/russia-ukraine/proposals/ukraine-peace-formula"


def test_a_twenty_point_version_is_entered_and_mapped_by_keyboard(page, server_url) -> None:
    log_in(page, server_url, "editor@example.org")
    page.goto(server_url + PLAN + "/versions/new")
    source = page.evaluate("document.querySelector('#known-sources option').value")
    both_widths(page, "proposal-version-form")
    started = time.monotonic()

    tab_to(page, "label")
    page.keyboard.type("Twenty-point draft")
    page.keyboard.press("Tab")
    page.keyboard.type("2025-11")
    page.keyboard.press("Tab")
    page.keyboard.type("leaked")  # the status select, by type-ahead
    tab_to(page, "source_url")
    page.keyboard.type(source)
    tab_to(page, "paste")
    lines = [f"{n}. Point {n} of the draft,\nover two lines." for n in range(1, 21)]
    page.keyboard.type("\n".join(lines))
    tab_to(page, "split")
    page.keyboard.press("Enter")
    page.wait_for_selector("#p19_number")
    assert page.locator("#points tbody tr").count() == 20

    for i in range(20):
        # The demand picker filters as one types (static/js/combobox.js): a word of the title,
        # Down to the first match, Enter to pick it; then the stance select, by type-ahead.
        tab_to(page, f"p{i}_demand-combobox", limit=60)
        page.keyboard.type("NATO")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.type("i")  # insists
    tab_to(page, "save-version", limit=400)
    page.keyboard.press("Enter")
    page.wait_for_url("**/versions/twenty-point-draft?saved=1")
    elapsed = time.monotonic() - started
    print(f"\n20-point version entered and mapped by keyboard in {elapsed:.1f} s")

    assert page.locator("#points [data-point]").count() == 20
    assert page.locator("#points [data-point] .stance--insists").count() == 20
    both_widths(page, "proposal-version-saved")


def test_the_version_form_shows_its_problems_at_both_widths(page, server_url) -> None:
    log_in(page, server_url, "editor@example.org")
    page.goto(server_url + PLAN + "/versions/new?start=previous")
    page.click("#save-version")
    page.wait_for_selector("#form-problems")
    both_widths(page, "proposal-version-errors")
    page.goto(server_url + "/talks/russia-ukraine/proposals/new")
    both_widths(page, "proposal-form")
