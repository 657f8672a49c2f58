"""Every page type, readers' and editors', checked by machines a person would otherwise be:
axe-core (WCAG 2.0/2.1/2.2 A and AA) in light and dark, the Nu HTML Checker, the keyboard,
a 375 px phone, print and reduced motion. Screenshots of every page: test-artifacts/."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "vendor" / "axe-4.14.1.min.js"
# `.ci/run` fetches the pinned jar into this git-ignored cache (it is ~30 MB, too big to commit).
VNU = Path(os.environ.get("PARLEY_VNU_JAR", ROOT / ".cache" / "vnu" / "vnu.jar"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "parley-demo-password"
_edits = count(1)

READER_PAGES = {
    "matrix": "/talks/russia-ukraine?as_of=2025-01-31&since=2024-12-31",
    "parties": "/parties",
    "party": "/parties/ukraine?as_of=2025-01-31",
    "talks-party": "/talks/russia-ukraine/parties/ukraine?as_of=2025-01-31",
    "demands": "/talks/russia-ukraine/demands",
    "demand": "/talks/russia-ukraine/demands/russian-withdrawal?as_of=2025-01-31",
    "compare": (
        "/talks/russia-ukraine/compare?parties=russia,ukraine,united-states&as_of=2025-01-31"
    ),
    # A pair whose gaps moved on several demands: more charts, each of which must fit a phone.
    "compare-pair": "/talks/russia-ukraine/compare?parties=european-allies,russia",
    "statement": "/statements/4",
    "sources": "/sources",
    "source": "/sources/1",
    "timeline": "/talks/russia-ukraine/timeline",
    "search": "/search?q=Putin+truce+or+peacekeepers",
    "about": "/about",
    "not-found": "/parties/atlantis",
    "login": "/login",
    "proposals": "/talks/russia-ukraine/proposals",
    "proposal": "/talks/russia-ukraine/proposals/russian-conditions-june-2024",
    # A plan beside the parties, with the gaps to it; two plans side by side.
    "matrix-plan": "/talks/russia-ukraine?with=russian-conditions-june-2024&as_of=2025-01-31",
    "proposals-compare": (
        "/talks/russia-ukraine/proposals/compare"
        "?a=russian-conditions-june-2024&b=ukraine-peace-formula"
    ),
    "proposal-version": (
        "/talks/russia-ukraine/proposals/ukraine-peace-formula/versions/initial-peace-formula"
    ),
}
EDITOR_PAGES = {
    "add-statement": "/statements/new",
    "edit-statement": "/statements/4/edit",
    "retract-statement": "/statements/4/retract",
    "history": "/statements/4",
    "admin-users": "/admin/users",
    # The grant of negotiations (issue 16): radios and a ticked list in a fieldset.
    "admin-new-user": "/admin/users/new",
    "catalog": "/edit",
    "add-demand": "/edit/demands/new",
    "account": "/account",
    # Issue 17's editor: a proposal's form, and a version's with its table of points.
    "add-proposal": "/talks/russia-ukraine/proposals/new",
    "edit-proposal": "/talks/russia-ukraine/proposals/ukraine-peace-formula/edit",
    "add-version": (
        "/talks/russia-ukraine/proposals/ukraine-peace-formula/versions/new?start=previous"
    ),
}


def _submit_empty_form(page, server_url: str):  # type: ignore[no-untyped-def]
    page.goto(server_url + "/statements/new")
    with page.expect_navigation() as navigation:
        page.click("#statement-form button[type=submit]")
    response = navigation.value
    assert response.status == 422
    assert page.locator(".field-error").count() > 0
    return response


def _conflict(page, server_url: str):  # type: ignore[no-untyped-def]
    """Open an edit form, let a colleague in another context save first, then save: a 409."""
    url = server_url + "/statements/5/edit"
    page.goto(url)
    colleague = page.context.browser.new_context(storage_state=page.context.storage_state())
    other = colleague.new_page()
    other.goto(url)
    other.fill("#speaker", f"Colleague edit {next(_edits)}")
    other.click("#statement-form button[type=submit]")
    other.wait_for_url("**?saved=1")
    colleague.close()
    # The summary: an edit of a published statement's quote would ask for a correction note
    # (issue 19) before anything else.
    page.fill("#summary", f"Our edit {next(_edits)}")
    with page.expect_navigation() as navigation:
        page.click("#statement-form button[type=submit]")
    response = navigation.value
    assert response.status == 409
    assert page.locator("#conflict").count() == 1
    return response


def _code_page(page, server_url: str):  # type: ignore[no-untyped-def]
    """Half logged in: the password given, the second factor's code asked for."""
    page.goto(server_url + "/login")
    page.fill("#email", "admin@example.org")
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation(url="**/login/second-factor") as navigation:
        page.locator("main form button[type=submit]").click()
    return navigation.value


def _set_up_second_factor(page, server_url: str):  # type: ignore[no-untyped-def]
    """The set-up page (QR code, key, code field), as an editor opens it from their account."""
    log_in(page, server_url, "editor@example.org")
    return page.goto(server_url + "/account/second-factor")


# name -> (needs an editor, how to get there); the callable returns the document's response.
Visit = Callable[..., object]
STATES: dict[str, tuple[bool, Visit]] = {
    **{
        name: (False, lambda page, url, path=path: page.goto(url + path))
        for name, path in READER_PAGES.items()
    },
    **{
        name: (True, lambda page, url, path=path: page.goto(url + path))
        for name, path in EDITOR_PAGES.items()
    },
    "add-statement-errors": (True, _submit_empty_form),
    "conflict": (True, _conflict),
    "second-factor-code": (False, _code_page),
    "second-factor-setup": (False, _set_up_second_factor),
}


@pytest.fixture(scope="session")
def editor_state(admin_state, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """An admin's signed-in cookies (admins edit too), saved once for every context to reuse."""
    path = tmp_path_factory.getbasetemp() / "admin-state.json"
    path.write_text(json.dumps(admin_state))
    return path


@pytest.fixture
def open_state(browser, server_url, editor_state) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """open_state(name, **context_options) -> a page showing that page type."""
    contexts = []

    def open_(name: str, **options: object):  # type: ignore[no-untyped-def]
        needs_editor, visit = STATES[name]
        options.setdefault("viewport", {"width": 1280, "height": 900})
        if needs_editor:
            options["storage_state"] = str(editor_state)
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        response = visit(page, server_url)
        page.wait_for_load_state("load")
        return page, response

    yield open_
    for context in contexts:
        context.close()


# --- axe-core ---------------------------------------------------------------------------------


def _describe(violations: list[dict]) -> str:  # type: ignore[type-arg]
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
            lines.append(f"      {node['failureSummary'].replace(chr(10), ' / ')}")
    return "\n".join(lines)


def _axe_in_both_schemes(page, what: str) -> None:  # type: ignore[no-untyped-def]
    """axe on the page in light, then in dark. The colours follow `prefers-color-scheme` alone
    (CSS, no script reads it), so switching the emulated scheme restyles the same page as a
    dark-scheme browser would load it: one load serves both checks."""
    page.add_script_tag(path=str(AXE))
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (
            scheme == "dark"
        )
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        violations = result["violations"]
        assert violations == [], f"{what} ({scheme}):\n{_describe(violations)}"


@pytest.mark.parametrize("name", list(STATES))
def test_axe_finds_no_wcag_violations(open_state, name) -> None:
    # Our CSP (`script-src 'self'`) rightly blocks the inline script Playwright's
    # add_script_tag makes of axe; bypass_csp lifts it for these test contexts only.
    page, _ = open_state(name, bypass_csp=True)
    _axe_in_both_schemes(page, name)


def test_axe_sees_a_fault_of_the_dark_scheme_alone(open_state) -> None:
    """The one-load check above catches what only a dark-scheme reader would see."""
    page, _ = open_state("login", bypass_csp=True)
    page.add_style_tag(
        content="@media (prefers-color-scheme: dark) { main { color: #444 !important; } }"
    )
    with pytest.raises(AssertionError, match=r"\(dark\)[\s\S]*color-contrast"):
        _axe_in_both_schemes(page, "login")


# Pages whose layout changes most on a phone (charts, tables): axe again at 375 px.
PHONE_PAGES = [
    "matrix",
    "party",
    "talks-party",
    "demand",
    "compare",
    "compare-pair",
    "timeline",
    "statement",
    "proposal",
    "matrix-plan",
    "proposals-compare",
]


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_axe_finds_no_wcag_violations_on_a_phone(open_state, name) -> None:
    page, _ = open_state(name, bypass_csp=True, viewport={"width": 375, "height": 800})
    _axe_in_both_schemes(page, f"{name} at 375 px")


@pytest.mark.parametrize("width", [1280, 375])
def test_editor_form_fields_follow_each_other_without_gaps(open_state, width) -> None:
    # A wide field's flex-basis (18rem, meant for a row of fields) became a height in the
    # form's column: ~150 px of nothing under the description.
    page, _ = open_state("add-demand", viewport={"width": width, "height": 900})
    gaps = page.evaluate(
        """() => {
             const form = document.querySelector('form.editor-form');
             const rowGap = parseFloat(getComputedStyle(form).rowGap);
             const fields = [...form.children].filter(e => e.matches('.field, .form-actions'));
             // Where a field's content ends (label, control, hint, error), not its box: the
             // box itself is what grew.
             const contentBottom = e => Math.max(
               ...[...e.children].map(c => c.getBoundingClientRect().bottom));
             return fields.slice(1).map((e, i) => ({
               field: e.querySelector('label, button')?.textContent.trim(),
               extra: Math.round(e.getBoundingClientRect().top
                                 - contentBottom(fields[i]) - rowGap)}));
           }"""
    )
    assert len(gaps) >= 3
    assert all(g["extra"] <= 2 for g in gaps), gaps


# --- Nu HTML Checker ----------------------------------------------------------------------------


def test_every_page_type_is_valid_html(  # type: ignore[no-untyped-def]
    open_state, browser, server_url, editor_state, tmp_path
) -> None:
    if not VNU.exists():
        message = f"no vnu.jar at {VNU}: `.ci/run` fetches it (npm pack vnu-jar)"
        if os.environ.get("PARLEY_REQUIRE_BROWSER") == "1":
            raise AssertionError(message)
        pytest.skip(message)
    files = {}
    # Pages a link opens are fetched as the browser would, with its cookies, but not rendered:
    # the checker reads the bytes the server sent, not the DOM after parsing (the parser hides
    # mistakes). Pages reached by filling in forms are opened in the browser.
    reader = browser.new_context()
    editor = browser.new_context(storage_state=str(editor_state))
    for name in STATES:
        if name in EDITOR_PAGES:
            body = editor.request.get(server_url + EDITOR_PAGES[name]).body()
        elif name in READER_PAGES:
            body = reader.request.get(server_url + READER_PAGES[name]).body()
        else:
            body = open_state(name)[1].body()
        path = tmp_path / f"{name}.html"
        path.write_bytes(body)
        files[str(path)] = name
    reader.close()
    editor.close()
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(run.stderr)["messages"]
    report = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}"
        f":{m.get('lastLine')}: {m['message']}  [{m.get('extract', '').strip()}]"
        for m in messages
    ]
    assert report == [], "vnu found errors:\n" + "\n".join(report)


# --- Keyboard -----------------------------------------------------------------------------------


def _focused(page) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return page.evaluate(
        """() => {
          const e = document.activeElement, s = getComputedStyle(e);
          const label = e.closest('label');
          const ls = label ? getComputedStyle(label) : null;
          return {id: e.id, tag: e.tagName, text: (e.innerText || e.value || '').slice(0, 40),
                  outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                  shadow: s.boxShadow !== 'none',
                  label: !!ls && ls.outlineStyle !== 'none' && parseFloat(ls.outlineWidth) >= 2};
        }"""
    )


def tab_to(page, selector: str, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element matching selector has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_the_skip_link_is_first_visible_on_focus_and_moves_to_the_content(page, server_url) -> None:
    page.goto(server_url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] >= 24, "skip link off screen"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not the header again
    assert page.evaluate("!!document.activeElement.closest('main')")


@pytest.mark.parametrize("name", ["matrix", "timeline", "add-statement", "conflict", "admin-users"])
def test_every_focus_stop_shows_a_visible_focus_indicator(open_state, name) -> None:
    page, _ = open_state(name)
    page.locator("body").focus()
    seen = []
    for _ in range(50):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "BODY":
            break
        seen.append(focused)
        assert focused["outline"] or focused["shadow"] or focused["label"], (
            f"{name}: no visible focus on {focused}"
        )
    assert len(seen) >= 5


def test_matrix_date_by_keyboard_updates_content_and_url(page, server_url) -> None:
    page.goto(server_url + "/")
    cell = page.locator('#matrix td[data-party="ukraine"][data-demand="russian-withdrawal"]')
    assert cell.get_attribute("data-stance") == "open"
    tab_to(page, "#as_of")
    # A date input takes digits segment by segment, in the browser's locale (en-US: mm dd yyyy).
    page.keyboard.type("12312024")
    page.keyboard.press("Enter")
    page.wait_for_url("**/talks/russia-ukraine?as_of=2024-12-31*")
    assert cell.get_attribute("data-stance") == "insists"


def test_timeline_filters_by_keyboard(page, server_url) -> None:
    page.goto(server_url + "/talks/russia-ukraine/timeline")
    tab_to(page, "#party")
    page.keyboard.type("Ukraine")  # a focused select jumps to the option typed
    tab_to(page, "form.date-form button[type=submit]")
    page.keyboard.press("Space")
    page.wait_for_url("**/timeline?party=ukraine*")
    parties = page.locator("#timeline > li").evaluate_all(
        "items => [...new Set(items.map(i => i.dataset.party))]"
    )
    assert parties == ["ukraine"]


def test_add_statement_errors_then_success_by_keyboard(open_state) -> None:
    """The whole-form keyboard path is in test_editors; here: errors are reachable and fixable."""
    page, _ = open_state("add-statement")
    tab_to(page, "#statement-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".field-error").count() > 0
    tab_to(page, "#party")
    page.keyboard.type("Russia")
    page.keyboard.press("Tab")
    page.keyboard.type("Strong")  # the demand combobox
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # "Add a new demand"
    page.keyboard.press("Tab")  # the stance radios: one stop, arrows choose
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.querySelector('input[name=stance]:checked') !== null")
    tab_to(page, "#stated_on")
    page.keyboard.type("2025-02-01")
    tab_to(page, "#summary")
    page.keyboard.type("Keyboard test statement.")
    tab_to(page, "#source_url")
    page.keyboard.type("https://news.example.org/keyboard-a11y-story")
    page.wait_for_timeout(500)  # the suggestion request
    tab_to(page, "#source_title")
    page.keyboard.type("Keyboard story")
    page.keyboard.press("Tab")
    page.keyboard.type("Example Wire")
    page.keyboard.press("Tab")
    page.keyboard.type("2025-02-01")
    tab_to(page, "#statement-form button[type=submit]")
    page.keyboard.press("Space")
    page.wait_for_url("**?saved=1")
    assert "Keyboard test statement." in page.locator(".facts").inner_text()


def test_conflict_page_controls_by_keyboard(open_state) -> None:
    page, _ = open_state("conflict")
    # The conflict explanation comes before the form, and its button is reachable.
    tab_to(page, "#statement-form button[type=submit]")
    assert "Save my version on top" in page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    page.wait_for_url("**?saved=1")
    assert "Our edit" in page.locator(".facts").inner_text()


# --- Phone, screenshots, print, motion, charts --------------------------------------------------

TARGETS = """() => {
  const out = [];
  const selector = 'nav a, nav button, form a, form button, form input:not([type=hidden]), ' +
                   'form select, form textarea, .button, summary, .pager a';
  for (const e of document.querySelectorAll(selector)) {
    if (!e.checkVisibility()) continue;
    let r = e.getBoundingClientRect();
    const label = e.closest('label') || (e.id && document.querySelector(`label[for="${e.id}"]`));
    if ((e.type === 'radio' || e.type === 'checkbox') && label) r = label.getBoundingClientRect();
    // WCAG 2.5.8 exempts a link inline in a sentence.
    const inline = e.tagName === 'A' && getComputedStyle(e).display === 'inline' &&
                   e.parentElement.innerText.trim().length > e.innerText.trim().length + 3;
    if (inline) continue;
    if (r.width < 24 || r.height < 24)
      out.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className} "${(e.innerText || '').trim()
        .slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return out;
}"""


@pytest.mark.parametrize(("width", "label"), [(375, "phone"), (1280, "desktop")])
def test_every_page_fits_the_screen_with_big_enough_targets(open_state, width, label) -> None:
    problems = []
    for name in STATES:
        page, _ = open_state(name, viewport={"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{name}: scrolls sideways by {overflow}px")
        problems += [f"{name}: small target {t}" for t in page.evaluate(TARGETS)]
        screenshot(page, f"a11y-{name}-{label}")
        page.context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", ["matrix", "party"])
def test_print_shows_the_facts_without_the_controls(open_state, name) -> None:
    page, _ = open_state(name)
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "() => ['.site-header nav', '.date-form', '.site-footer__links', '.skip-link']"
        ".map(s => document.querySelector(s)).filter(e => e && e.checkVisibility())"
        ".map(e => e.className || e.tagName)"
    )
    assert hidden == [], f"controls still printed: {hidden}"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )
    screenshot(page, f"a11y-{name}-print")
    pdf = page.pdf(path=str(ROOT / "test-artifacts" / f"a11y-{name}-print.pdf"))
    assert len(pdf) > 1000


def test_reduced_motion_stops_transitions_and_animations(open_state) -> None:
    page, _ = open_state("matrix", reduced_motion="reduce")
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(e => {
             const s = getComputedStyle(e);
             const longest = v => Math.max(...v.split(',').map(parseFloat));
             return longest(s.transitionDuration) > 0.01 ||
                    (s.animationName !== 'none' && longest(s.animationDuration) > 0.01);
           }).map(e => e.tagName + '.' + e.className)"""
    )
    assert moving == []


def test_charts_have_text_alternatives(open_state) -> None:
    page, _ = open_state("demand")
    charts = page.locator("svg")
    assert charts.count() > 0
    for i in range(charts.count()):
        chart = charts.nth(i)
        if chart.get_attribute("aria-hidden") == "true":
            continue
        # A group, not an img: its points are links, which may not nest in an image.
        assert chart.get_attribute("role") == "group"
        assert chart.locator(":scope > title").count() == 1
        assert chart.locator(":scope > desc").count() == 1
        labelled = chart.get_attribute("aria-labelledby") or ""
        assert labelled, "the chart names itself by its title and desc"
    # The same numbers as a table, for those who cannot see the picture.
    assert page.locator("table").count() > 0
