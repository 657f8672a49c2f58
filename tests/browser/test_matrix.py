from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_date_form_swaps_the_matrix_in_place_and_the_url_reproduces_it(page, server_url) -> None:
    page.goto(server_url + "/")
    cell = page.locator('#matrix td[data-party="ukraine"][data-demand="russian-withdrawal"]')
    assert cell.get_attribute("data-stance") == "open"
    page.evaluate("window.__same_document = true")

    page.fill("#as_of", "2024-12-31")
    page.fill("#since", "2024-01-01")
    page.click("button[type=submit]")
    page.wait_for_url("**/talks/russia-ukraine?as_of=2024-12-31&since=2024-01-01")
    assert cell.get_attribute("data-stance") == "insists"
    # htmx swapped the matrix: the document (and our marker in it) survived.
    assert page.evaluate("window.__same_document") is True
    assert "2024-12-31" in page.locator(".matrix-title time").first.get_attribute("datetime")

    page.reload()
    assert cell.get_attribute("data-stance") == "insists"
    assert page.locator("td.cell--changed").count() > 0


def test_a_bad_date_typed_into_the_url_shows_the_message_in_the_page(page, server_url) -> None:
    response = page.goto(server_url + "/talks/russia-ukraine?as_of=2025-02-30")
    assert response.status == 400
    assert "not a real calendar date" in page.locator("[role=alert]").inner_text()


def test_matrix_works_without_javascript(browser, server_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server_url + "/")
    page.fill("#as_of", "2024-12-31")
    page.click("button[type=submit]")
    page.wait_for_url("**/talks/russia-ukraine?as_of=2024-12-31*")
    cell = page.locator('#matrix td[data-party="ukraine"][data-demand="russian-withdrawal"]')
    assert cell.get_attribute("data-stance") == "insists"
    context.close()


@pytest.mark.parametrize(("width", "label"), [(1280, "desktop"), (375, "phone")])
def test_screenshots_of_the_matrix_and_a_statement(browser, server_url, width, label) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(server_url + "/talks/russia-ukraine?as_of=2025-01-31&since=2024-12-31")
    # Nothing may scroll sideways as a whole on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, f"matrix-{label}")
    page.locator('#matrix td[data-party="russia"] a').first.click()
    page.wait_for_url("**/statements/*")
    screenshot(page, f"statement-{label}")
    context.close()
