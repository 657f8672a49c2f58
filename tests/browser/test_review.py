"""Two editors in a real Chromium (issue 19): the admin turns review on, the editor enters a
statement (a draft readers cannot see), the admin publishes it from /review in place (htmx),
the editor corrects it with a note, and a reader sees the correction on the statement, in the
matrix cell and in /corrections. Screenshots of /review and the corrected statement, 1280 and
375 px, light and dark: test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_editors import log_in

pytestmark = pytest.mark.browser

SUMMARY = "Browser review: guarantees before any ceasefire talks."
NOTE = "the date was 2 June, not 12 June"


def shoot_four(page, name: str) -> None:  # type: ignore[no-untyped-def]
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            screenshot(page, f"{name}-{width}-{scheme}")
            assert overflow <= 0, f"{name} scrolls sideways at {width} px"
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 900})


def set_review(page, server_url: str, negotiation_id: int, on: bool) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/edit/negotiations/{negotiation_id}")
    page.select_option("#statements_need_review", "True" if on else "False")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r".*\?saved=1$"))


def test_draft_review_publish_correct_by_two_editors(
    browser, page, server_url, admin_state
) -> None:  # type: ignore[no-untyped-def]
    negotiation_id = page.request.get(server_url + "/api/negotiations/russia-ukraine").json()["id"]
    admin_context = browser.new_context(
        viewport={"width": 1280, "height": 900}, storage_state=admin_state
    )
    admin = admin_context.new_page()
    set_review(admin, server_url, negotiation_id, on=True)
    try:
        # The editor enters a statement: a draft, marked, and not on the reader's matrix.
        log_in(page, server_url, "editor@example.org")
        page.goto(server_url + "/statements/new")
        page.select_option("#party", label="Ukraine")
        # The demand through its combobox, as an editor picks it (the select is hidden).
        page.fill("#demand-combobox", "ceasefire")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.locator("label[for=stance-rejects]").click()
        page.fill("#stated_on", "2025-06-12")
        page.fill("#summary", SUMMARY)
        page.fill("#source_url", "https://news.example.org/browser-review-story")
        page.wait_for_timeout(600)
        page.fill("#source_title", "Browser review story")
        page.fill("#source_publisher", "Example Wire")
        page.get_by_role("button", name="Add statement").click()
        page.wait_for_url(re.compile(r".*/statements/\d+\?saved=1$"))
        statement_url = page.url.split("?")[0]
        statement_id = statement_url.rsplit("/", 1)[1]
        assert page.locator(".eyebrow .draft-mark").inner_text() == "DRAFT"
        reader = browser.new_context().new_page()
        assert reader.goto(statement_url).status == 404
        assert reader.goto(server_url + "/talks/russia-ukraine").ok
        assert SUMMARY not in reader.content()

        # The admin sees it counted in the header and publishes it in place.
        admin.goto(server_url + "/")
        assert int(admin.locator("#review-count").inner_text()) >= 1
        admin.locator("#review-link").click()
        admin.wait_for_url(server_url + "/review")
        item = admin.locator(f"#draft-{statement_id}")
        assert SUMMARY in item.inner_text()
        shoot_four(admin, "review-queue")
        admin.evaluate("window.stillHere = true")
        item.get_by_role("button", name="Publish").click()
        admin.locator(f"#draft-{statement_id}.review-item--done").wait_for()
        assert "Published" in admin.locator(f"#draft-{statement_id}").inner_text()
        assert admin.evaluate("window.stillHere") is True  # swapped in place, no page load

        # The author corrects the date: refused without a note, saved with one.
        page.goto(statement_url + "/edit")
        assert page.locator("#correction").count() == 1
        page.fill("#stated_on", "2025-06-02")
        page.get_by_role("button", name="Save changes").click()
        assert "needs a correction note" in page.locator("#correction_note-error").inner_text()
        page.fill("#correction_note", NOTE)
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_url(re.compile(r".*\?saved=1$"))

        # A reader sees it published, corrected, credited, and in /corrections.
        reader.goto(statement_url)
        assert NOTE in reader.locator("#corrections").inner_text()
        credit = reader.locator("#credit").inner_text()
        assert "Reviewed by" in credit and "Corrected by" in credit
        shoot_four(reader, "corrected-statement")
        reader.goto(server_url + "/talks/russia-ukraine?as_of=2025-06-30")
        assert reader.locator(f"a[href='/statements/{statement_id}']").count() >= 1
        assert reader.locator(".cell__corrected-flag").count() >= 1
        reader.goto(server_url + "/corrections")
        assert NOTE in reader.locator("#corrections-list").inner_text()

        # As the tracker showed it: yesterday the statement was not published; today it is,
        # corrected, and the page says which view the reader is in.
        today = dt.datetime.now(dt.UTC).date()
        matrix = server_url + "/talks/russia-ukraine?as_of=2025-06-30&recorded="
        reader.goto(matrix + (today - dt.timedelta(days=1)).isoformat())
        assert "As the tracker showed it" in reader.locator("#recorded-note").inner_text()
        assert reader.locator(f"a[href='/statements/{statement_id}']").count() == 0
        reader.goto(matrix + today.isoformat())
        assert "As the tracker showed it" in reader.locator("#recorded-note").inner_text()
        cell = reader.locator(f"td:has(a[href='/statements/{statement_id}'])").first
        assert cell.locator(".cell__corrected-flag").count() == 1
        reader.context.close()
    finally:
        set_review(admin, server_url, negotiation_id, on=False)
        admin_context.close()
