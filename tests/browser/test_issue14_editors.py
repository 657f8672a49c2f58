"""Issue 14, editors, where the behaviour is the browser's: Back then save again, the demand
combobox by keyboard (and what a screen reader is told), the "Saved." status, the matrix's date
form under htmx, a new demand without JavaScript. Screenshots: test-artifacts/issue14-*."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_csp_walk import type_date
from tests.browser.test_editors import log_in, tab_to

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SAVED = re.compile(r".*/statements/\d+\?saved=1$")


def fill_statement(page, url: str, summary: str) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#party", label="Russia")
    page.fill("#demand-combobox", "ceasefire")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.check("#stance-rejects")
    page.fill("#stated_on", "2025-06")
    page.fill("#summary", summary)
    page.fill("#source_url", url)
    page.fill("#source_title", "Back button story")
    page.fill("#source_publisher", "Example Wire")


def test_save_back_and_save_again_warns_instead_of_saving_twice(page, server_url) -> None:
    log_in(page, server_url, "editor@example.org")
    page.goto(server_url + "/statements/new")
    fill_statement(page, "https://news.example.org/back-button", "Refuses a month-long truce.")
    page.get_by_role("button", name="Add statement").click()
    page.wait_for_url(SAVED)
    first = page.url.split("?")[0].rsplit("/", 1)[1]
    assert "June 2025" in page.locator(".facts").inner_text()
    source_page = page.locator("a.source__more").get_attribute("href")

    page.go_back()
    page.wait_for_url("**/statements/new")
    # Whatever the browser kept of the form, the editor fills it in again and saves.
    fill_statement(page, "https://news.example.org/back-button", "Refuses a month-long truce.")
    page.get_by_role("button", name="Add statement").click()
    warning = page.locator("#duplicate-warning")
    warning.wait_for()
    assert re.search(
        rf"This looks like statement #{first}, saved (just now|1 minute ago) by you",
        warning.inner_text(),
    )
    assert page.url.endswith("/statements/new")
    screenshot(page, "issue14-duplicate-warning-desktop")
    # "Open it" goes to the first one; nothing else was saved.
    assert warning.get_by_role("link", name="Open it").get_attribute("href") == (
        f"/statements/{first}"
    )
    page.goto(server_url + source_page)
    assert page.locator(f"a[href='/statements/{first}']").count() >= 1
    assert page.locator("main a[href^='/statements/']").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    ) == [f"/statements/{first}"]


def test_the_demand_combobox_by_keyboard_matches_any_word(page, server_url) -> None:
    log_in(page, server_url, "editor@example.org")
    page.goto(server_url + "/statements/new")
    combobox = page.get_by_role("combobox", name="Demand")
    assert combobox.count() == 1
    assert page.locator("#demand").is_hidden()  # the select stays in the form, hidden
    tab_to(page, "party")
    page.keyboard.type("Ukraine")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "demand-combobox"
    assert combobox.get_attribute("aria-expanded") == "false"

    # A word from the middle of the sentence.
    page.keyboard.type("guarantees")
    listbox = page.get_by_role("listbox")
    assert combobox.get_attribute("aria-expanded") == "true"
    assert listbox.get_attribute("id") == combobox.get_attribute("aria-controls")
    assert listbox.get_attribute("aria-label") == "Demand"
    options = page.locator("#demand-listbox [role=option]")
    visible = [o for o in options.all() if o.is_visible()]
    assert [o.inner_text() for o in visible] == ["Strong Western security guarantees for Ukraine"]
    assert page.locator("#demand-combobox-status").inner_text() == "1 match."
    page.keyboard.press("ArrowDown")
    active = combobox.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    assert combobox.get_attribute("aria-expanded") == "false"
    assert combobox.input_value() == "Strong Western security guarantees for Ukraine"
    assert page.locator("#demand option:checked").inner_text() == combobox.input_value()

    # Two words, in any order, any case; Escape closes, then clears.
    page.keyboard.press("Control+A")
    page.keyboard.type("RUSSIA withdraws")
    visible = [o.inner_text() for o in options.all() if o.is_visible()]
    assert visible == ["Russia withdraws from all occupied territories"]
    page.keyboard.press("Escape")
    assert combobox.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Escape")
    assert combobox.input_value() == "" and page.locator("#demand").input_value() == ""
    # Down opens the whole list; Up from the top wraps to the last.
    page.keyboard.press("ArrowDown")
    every = options.count()
    assert len([o for o in options.all() if o.is_visible()]) == every > 5
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert combobox.input_value() == options.nth(every - 1).inner_text()
    screenshot(page, "issue14-combobox-closed-desktop")
    page.keyboard.press("Control+A")
    page.keyboard.type("western")
    screenshot(page, "issue14-combobox-open-desktop")

    # Below the list: "Add a new demand", a disclosure the keyboard opens.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.locator("details.new-demand").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "new_demand_title"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "demand-combobox"

    # The pointer works too.
    page.fill("#demand-combobox", "western")
    page.locator("[role=option]", has_text="Western troops").click()
    assert combobox.input_value() == "Western troops deployed to Ukraine as peacekeepers"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_combobox_passes_axe_under_the_csp(browser, server_url, scheme) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    log_in(page, server_url, "editor@example.org")
    page.goto(server_url + "/statements/new")
    page.fill("#demand-combobox", "ukraine")
    page.keyboard.press("ArrowDown")
    assert violations == []  # our scripts ran under the real policy
    # axe itself is injected inline, which the policy (rightly) refuses: a second context.
    state = context.storage_state()
    checker = browser.new_context(
        color_scheme=scheme,
        bypass_csp=True,
        storage_state=state,
        viewport={"width": 1280, "height": 900},
    )
    axe_page = checker.new_page()
    axe_page.goto(server_url + "/statements/new")
    axe_page.fill("#demand-combobox", "ukraine")
    axe_page.keyboard.press("ArrowDown")
    axe_page.add_script_tag(path=str(AXE))
    result = axe_page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    assert result["violations"] == [], [v["id"] for v in result["violations"]]
    checker.close()
    context.close()


def test_saved_is_announced_at_the_top_of_the_page(page, server_url) -> None:
    # Record every change to a live region's text, as a screen reader would hear it.
    page.context.add_init_script(
        "window.__spoken = [];"
        "new MutationObserver(ms => ms.forEach(m => {"
        "  const r = m.target.closest ? m.target.closest('[role=status]')"
        "    : m.target.parentElement && m.target.parentElement.closest('[role=status]');"
        "  if (r && r.textContent.trim()) window.__spoken.push(r.textContent.trim());"
        "})).observe(document, {subtree: true, childList: true, characterData: true});"
    )
    log_in(page, server_url, "editor@example.org")
    page.goto(server_url + "/statements/4/edit")
    page.fill("#speaker", "A spokesperson")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r".*\?saved=1$"))
    status = page.get_by_role("status").filter(has_text="Saved.")
    status.wait_for()
    page.wait_for_function("window.__spoken.includes('Saved.')")
    first = page.evaluate("document.querySelector('main').firstElementChild.id")
    assert first == "flash"
    box = status.bounding_box()
    assert box is not None and box["y"] < 200, box
    screenshot(page, "issue14-saved-desktop")


def test_a_mistyped_year_keeps_the_matrix_and_shows_the_error_in_the_form(page, server_url) -> None:
    page.goto(server_url + "/talks/russia-ukraine?as_of=2025-01-31")
    page.evaluate("window.__same_document = true")
    rows = page.locator("#matrix tbody tr").count()
    type_date(page, "#as_of", "01", "31", "32025")
    assert page.locator("#as_of").input_value() == "32025-01-31"
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as answer:
        page.click("form.date-form button")
    assert answer.value.status == 400
    error = page.locator("#as_of-error")
    error.wait_for()
    assert "32025-01-31" in error.inner_text()
    assert page.locator("#as_of").get_attribute("aria-invalid") == "true"
    assert page.locator("#matrix tbody tr").count() == rows  # the matrix is still there
    assert page.evaluate("window.__same_document") is True
    assert page.url.endswith("/talks/russia-ukraine?as_of=2025-01-31")  # not pushed
    screenshot(page, "issue14-matrix-bad-year-desktop")
    page.set_viewport_size({"width": 375, "height": 900})
    screenshot(page, "issue14-matrix-bad-year-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Fixed, with "Changes since" left empty: no `since=` in the URL.
    page.fill("#as_of", "2024-12-31")
    page.click("form.date-form button")
    page.wait_for_url("**/talks/russia-ukraine?as_of=2024-12-31")
    assert page.locator("#as_of-error").count() == 0


def test_a_new_demand_from_the_statement_form_without_javascript(browser, server_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, server_url, "editor@example.org")
    page.goto(server_url + "/statements/new")
    assert page.locator("#demand").is_visible()  # the plain select
    page.select_option("#party", label="Ukraine")
    page.locator(".new-demand summary").click()
    page.fill("#new_demand_title", "Зобов’язання щодо нейтралітету")
    page.check("#stance-accepts")
    page.fill("#stated_on", "2025")
    page.fill("#summary", "Accepts neutrality commitments.")
    page.fill(
        "#source_url",
        "https://www.inkl.com/news/challenges-and-prospects-for-ukraine-peace-talks",
    )
    page.get_by_role("button", name="Add statement").click()
    page.wait_for_url(SAVED)
    assert "2025" in page.locator(".facts").inner_text()
    page.goto(server_url + "/edit/demands")
    last = page.locator("#records tbody tr").last
    assert "Зобов’язання щодо нейтралітету" in last.inner_text()
    assert "zoboviazannia-shchodo-neitralitetu" in last.inner_text()
    context.close()


@pytest.mark.parametrize(("width", "label"), [(1280, "desktop"), (375, "phone")])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_changed_editor_pages(browser, server_url, width, label, scheme) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    log_in(page, server_url, "editor@example.org")
    for name, path in [
        ("add-statement", "/statements/new"),
        ("edit-statement", "/statements/4/edit"),
        ("new-demand", "/edit/demands/new"),
        ("saved", "/statements/4?saved=1"),
        ("matrix-error", "/talks/russia-ukraine?as_of=2025-02-30"),
    ]:
        page.goto(server_url + path)
        if name == "saved":  # forms.js puts the text back a moment after load
            page.get_by_role("status").filter(has_text="Saved.").wait_for()
        if name == "add-statement":
            page.locator(".new-demand summary").click()
            page.fill("#demand-combobox", "western")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways at {width}px"
        screenshot(page, f"issue14-{name}-{label}-{scheme}")
    context.close()
