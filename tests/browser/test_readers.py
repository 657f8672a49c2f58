from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "parties": "/parties",
    "party": "/parties/ukraine?as_of=2025-01-31",
    "demands": "/demands",
    "demand": "/demands/russian-withdrawal?as_of=2025-01-31",
    "compare": "/compare?parties=russia,ukraine,united-states&as_of=2025-01-31",
    "compare-error": "/compare?parties=russia,atlantis",
    "sources": "/sources",
    "source": "/sources/1",
    "timeline": "/timeline",
    "search": "/search?q=Putin+truce+or+peacekeepers",
    "about": "/about",
    "not-found": "/parties/atlantis",
}


def test_changing_the_date_on_a_party_page_updates_content_and_url(page, server_url) -> None:
    page.goto(server_url + "/parties/ukraine")
    row = page.locator('#positions tr[data-demand="russian-withdrawal"]')
    assert row.get_attribute("data-stance") == "open"
    page.evaluate("window.__same_document = true")

    page.fill("#as_of", "2024-12-31")
    page.click("form.date-form button[type=submit]")
    page.wait_for_url("**/parties/ukraine?as_of=2024-12-31")
    assert row.get_attribute("data-stance") == "insists"
    assert page.evaluate("window.__same_document") is True
    history = page.locator('.history[data-demand="russian-withdrawal"] .history__entry')
    assert history.count() == 1

    page.reload()
    assert row.get_attribute("data-stance") == "insists"
    assert history.count() == 1
    assert page.input_value("#as_of") == "2024-12-31"

    page.go_back()
    page.wait_for_url("**/parties/ukraine")
    expect(row).to_have_attribute("data-stance", "open")


def test_party_page_date_works_without_javascript(browser, server_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server_url + "/parties/ukraine")
    page.fill("#as_of", "2024-12-31")
    page.click("form.date-form button[type=submit]")
    page.wait_for_url("**/parties/ukraine?as_of=2024-12-31")
    row = page.locator('#positions tr[data-demand="russian-withdrawal"]')
    assert row.get_attribute("data-stance") == "insists"
    context.close()


def test_compare_picker_swaps_in_place_and_pushes_the_url(page, server_url) -> None:
    page.goto(server_url + "/compare")
    page.check("input[name=parties][value=russia]")
    page.check("input[name=parties][value=ukraine]")
    page.fill("#as_of", "2025-01-31")
    # A full page load (the form working without htmx) would reach the same URL: only this
    # marker, lost with the old document, tells the two apart.
    page.evaluate("window.__same_document = true")
    page.click("form.compare-form button[type=submit]")
    page.wait_for_url("**/compare?parties=russia&parties=ukraine&as_of=2025-01-31")
    first = page.locator("#comparison > li").first
    assert first.get_attribute("data-gap") == "0"
    assert page.evaluate("window.__same_document") is True
    page.reload()
    assert page.locator("#comparison > li").first.get_attribute("data-gap") == "0"


def test_timeline_filter_swaps_in_place(page, server_url) -> None:
    page.goto(server_url + "/timeline")
    page.select_option("#party", "ukraine")
    page.evaluate("window.__same_document = true")
    page.click("form.date-form button[type=submit]")
    page.wait_for_url("**/timeline?party=ukraine*")
    parties = page.locator("#timeline > li").evaluate_all(
        "items => [...new Set(items.map(i => i.dataset.party))]"
    )
    assert parties == ["ukraine"]
    assert page.evaluate("window.__same_document") is True


@pytest.mark.parametrize(("width", "label"), [(1280, "desktop"), (375, "phone")])
def test_screenshots_of_every_reader_page(browser, server_url, width, label) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in PAGES.items():
        page.goto(server_url + path)
        # Nothing may scroll sideways as a whole on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        screenshot(page, f"{name}-{label}")
    page.goto(server_url + "/statements/4")
    screenshot(page, f"statement-neighbours-{label}")
    context.close()
