"""Back and Forward with htmx's history restores: the whole page every time, nothing nested.

htmx 2 asks the server again for a page it swapped away from (historyCacheSize is 0), with
HX-History-Restore-Request. That answer must be the whole page, never the fragment a date
change got for the same URL, and caching the one must never serve the other.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

DATES = ["2024-06-30", "2024-12-31", "2025-01-31"]


def assert_whole_page_once(page, as_of: str) -> None:  # type: ignore[no-untyped-def]
    """Header, nav, date form and matrix, each exactly once, showing `as_of`."""
    # A restore swaps the page in after the URL changed: wait for its matrix, then count.
    page.locator(f".matrix-title time[datetime='{as_of}']").first.wait_for(timeout=10_000)
    for selector in ("header.site-header", "nav[aria-label=Main]", "form.date-form", "#matrix"):
        assert page.locator(selector).count() == 1, (selector, page.url)
    nested = page.evaluate(
        "document.querySelectorAll('body body, main main, #matrix #matrix, header header,"
        " .site-header ~ * .site-header').length"
    )
    assert nested == 0, page.url
    assert page.locator(".matrix-title time").first.get_attribute("datetime") == as_of


def choose(page, as_of: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#as_of", as_of)
    page.click("form.date-form button[type=submit]")
    page.wait_for_url(f"**/talks/russia-ukraine?as_of={as_of}*")
    page.wait_for_function(
        "d => document.querySelector('.matrix-title time')?.getAttribute('datetime') === d",
        arg=as_of,
    )


def test_date_changes_then_back_and_back_show_the_whole_page(page, server_url) -> None:
    page.goto(server_url + "/")
    for as_of in DATES:
        choose(page, as_of)
        assert_whole_page_once(page, as_of)
    for as_of in reversed(DATES[:-1]):
        page.go_back()
        page.wait_for_url(f"**/talks/russia-ukraine?as_of={as_of}*")
        page.wait_for_function(
            "d => document.querySelector('.matrix-title time')?.getAttribute('datetime') === d",
            arg=as_of,
        )
        assert_whole_page_once(page, as_of)
    screenshot(page, "matrix-after-back")
    # A swap after the restores: the fragment goes where the matrix was, and only there.
    choose(page, "2025-02-15")
    assert_whole_page_once(page, "2025-02-15")
    page.go_forward()  # nothing ahead any more: the new choice replaced it
    page.go_back()
    page.wait_for_url(f"**/talks/russia-ukraine?as_of={DATES[0]}*")
    page.wait_for_function(
        "d => document.querySelector('.matrix-title time')?.getAttribute('datetime') === d",
        arg=DATES[0],
    )
    assert_whole_page_once(page, DATES[0])


def test_a_restored_page_cached_first_never_nests_in_a_later_swap(browser, server_url) -> None:
    """One reader's Back fills the render cache first; another reader's swap of the same URL
    must still get the fragment, not a page inside the page."""
    first = browser.new_context()
    page = first.new_page()
    # The URL the date form asks for (it sends the empty `since` too): its restore comes first.
    page.goto(server_url + "/talks/russia-ukraine?as_of=2024-03-31&since=")
    choose(page, "2024-04-30")
    page.go_back()
    page.wait_for_url("**/talks/russia-ukraine?as_of=2024-03-31*")
    assert_whole_page_once(page, "2024-03-31")
    first.close()

    second = browser.new_context()
    page = second.new_page()
    page.goto(server_url + "/talks/russia-ukraine?as_of=2024-04-30")
    choose(page, "2024-03-31")
    assert_whole_page_once(page, "2024-03-31")
    second.close()
