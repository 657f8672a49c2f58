"""Issue 9: a walk through every page and every htmx interaction records no CSP violation.

Three detectors, so that a violation cannot slip past one of them: a `securitypolicyviolation`
listener installed before any page script (read back after every step), the console (Chromium
logs each refusal there), and the app's own `report-uri` endpoint, whose requests show in the
server's log. `test_the_detectors_catch_a_violation` proves all three fire on an injected
inline script and style, so the walk's zero is one that could have failed.

The walk runs as an anonymous reader, an editor and the admin on an app server of its own (it
saves, retracts and reorders, which the other browser tests must not see), and fails if any
HTML route of the app was never requested: a new page cannot be skipped silently.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from starlette.routing import Match, Route

from app.main import create_app
from app.settings import Settings
from tests.app_server import app_server
from tests.browser.conftest import (
    DEMO_PASSWORD,
    SECRETS,
    fresh_code,
    pass_second_factor,
)

pytestmark = pytest.mark.browser


# Routes the walk does not need to request, and why. Everything else that serves HTML must be.
NOT_PAGES = {
    "/openapi.json": "JSON (Swagger UI on /docs fetches it)",
    "/healthz": "JSON",
    "/timeline.atom": "an Atom feed: no scripts or styles to block",
    "/talks/{negotiation}/timeline.atom": "an Atom feed: no scripts or styles to block",
    "/csp-report": "the sink for violation reports: requested only when there is one",
    "/talks/{negotiation}/proposals.atom": "an Atom feed: no scripts or styles to block",
    "/talks/{negotiation}/proposals/{slug}/feed.atom": "an Atom feed: no scripts or styles",
    "/talks/{negotiation}/parties/{party}/feed.atom": "an Atom feed: no scripts or styles",
    "/talks/{negotiation}/demands/{demand}/feed.atom": "an Atom feed: no scripts or styles",
    "/talks/{negotiation}/parties/{party}/demands/{demand}/feed.atom": "an Atom feed",
    "/talks/{negotiation}/parties/{slug}/share.png": "a PNG (share image)",
    "/parties/{slug}/share.png": "a PNG (share image)",
    "/talks/{negotiation}/demands/{slug}/share.png": "a PNG (share image)",
    "/talks/{negotiation}/cells/{party}/{demand}/share.png": "a PNG (share image)",
    "/talks/{negotiation}/compare/share.png": "a PNG (share image)",
    "/oembed": "JSON (oEmbed)",
    "/corrections.atom": "an Atom feed: no scripts or styles to block",
}
# Debt, named so it cannot grow silently: routes whose steps the walk does not take yet.
NOT_YET_WALKED: dict[str, str] = {}

LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  [e.violatedDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber, e.sample].join(' ')));
"""


@dataclass
class Server:
    url: str
    log: Path

    def reports(self) -> int:
        """How many violation reports browsers have posted to the app so far."""
        return self.log.read_text().count("POST /csp-report")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("csp-walk")
    log = directory / "server.log"
    with app_server(
        {"PARLEY_DATABASE_URL": f"sqlite:///{directory / 'demo.db'}"}, log, "--demo"
    ) as url:
        yield Server(url, log)


@dataclass
class Walk:
    """Everything the browser was told and asked while walking, whoever was logged in."""

    base: str
    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: set[tuple[str, str]] = field(default_factory=set)
    htmx: set[tuple[str, str]] = field(default_factory=set)  # requests htmx made
    step: str = "start"

    def open(self, browser: Any, role: str) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(LISTENER)
        page = context.new_page()
        page.on("console", lambda m: self._console(role, m))
        page.on("pageerror", lambda e: self.errors.append(f"{role} {self.step}: {e}"))
        page.on("request", lambda r: self._request(r))
        page.on("response", lambda r: self._response(role, r))
        page.role = role
        return page

    def _console(self, role: str, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{role} {self.step}: {message.text}")

    def _request(self, request: Any) -> None:
        if request.url.startswith(self.base):
            path = request.url[len(self.base) :].split("?")[0].split("#")[0]
            self.requests.add((request.method, path))
            if request.headers.get("hx-request") == "true":
                self.htmx.add((request.method, path))

    def _response(self, role: str, response: Any) -> None:
        # A 4xx page is a deliberate answer; a script, style or image that fails is not.
        if response.status >= 400 and response.request.resource_type not in ("document", "xhr"):
            self.errors.append(f"{role} {self.step}: {response.status} {response.url}")

    def check(self, page: Any, step: str) -> None:
        """Collect what the listener saw on this document (before it goes away), then name the
        next step."""
        try:
            seen = page.evaluate("window.__csp ? window.__csp.splice(0) : []")
        except Exception as error:  # the page is navigating: read on the next check
            if "navigat" not in str(error) and "destroyed" not in str(error):
                raise
            seen = []
        self.violations += [f"{page.role} {self.step}: {v}" for v in seen]
        self.step = step

    def go(self, page: Any, path: str, status: int = 200) -> None:
        # The tab acted in comes to the front, as when a person switches to it: Chromium runs a
        # tab behind another at a frame a second, and every wait below polls on frames (the
        # editor's steps took 1-2 s each behind its second tab; the walk, 75 s instead of 49).
        page.bring_to_front()
        self.check(page, f"GET {path}")
        response = page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response.status)
        page.wait_for_load_state("load")
        self.check(page, f"on {path}")

    def submit(self, page: Any, step: str, click: Callable[[], Any], url: str | re.Pattern) -> None:
        """A plain (non-htmx) form post or link that loads a new page."""
        page.bring_to_front()
        self.check(page, step)
        click()
        page.wait_for_url(url)
        page.wait_for_load_state("load")
        self.check(page, f"after {step}")

    def swap(self, page: Any, step: str, target: str, act: Callable[[], Any]) -> None:
        """An htmx interaction: it must replace `target` in place, without a new document."""
        page.bring_to_front()
        self.check(page, step)
        page.evaluate(
            "([t]) => { window.__same_document = true;"
            " document.querySelector(t).dataset.walkOld = '1'; }",
            [target],
        )
        with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
            act()
        page.wait_for_function(
            "([t]) => document.querySelector(t) && !document.querySelector(t).dataset.walkOld",
            arg=[target],
        )
        assert page.evaluate("window.__same_document") is True, f"{step}: a full page load"
        self.check(page, f"after {step}")


def log_in(walk: Walk, page: Any, email: str) -> None:
    walk.go(page, "/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("form.editor-form button")
    # The admin sets up a second factor here (its first login), which walks those pages too.
    pass_second_factor(page, email)
    walk.check(page, "log in")
    assert "Log out" in page.locator('nav[aria-label="Main"]').inner_text()


def first_href(page: Any, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    assert href, selector
    return str(href)


def reader_pages(walk: Walk, page: Any) -> None:
    """Every reader page and error page, as whoever `page` is logged in as."""
    walk.go(page, "/")
    statement = first_href(page, "#matrix td a[href^='/statements/']")
    walk.go(page, "/talks/russia-ukraine?as_of=2025-01-31&since=2024-12-01")
    assert page.locator("#matrix .cell--changed").count() > 0
    # As the tracker showed it (issue 19 item 4): today's record, the note and its way back.
    today = dt.date.today().isoformat()
    walk.go(page, f"/talks/russia-ukraine?recorded={today}&since=2024-12-01")
    assert page.locator("#recorded-note").count() == 1
    walk.go(page, f"/talks/russia-ukraine/parties/ukraine?recorded={today}")
    walk.go(page, f"/talks/russia-ukraine/compare?parties=russia,ukraine&recorded={today}")
    walk.go(page, "/parties")
    walk.go(page, "/parties/ukraine?as_of=2025-01-31")
    walk.go(page, "/talks/russia-ukraine/parties/ukraine?as_of=2025-01-31")
    walk.go(page, "/talks/russia-ukraine/proposals")
    walk.go(page, "/talks/russia-ukraine/proposals/russian-conditions-june-2024")
    walk.go(page, first_href(page, "a[href*='/versions/']"))
    # Reactions as of a date (issue 17): the demo's rejections of points 1 and 2.
    walk.go(page, "/talks/russia-ukraine/proposals/russian-conditions-june-2024?as_of=2025-01-31")
    assert page.locator("[data-reactions] [data-statement]").count() > 0
    walk.go(page, "/talks/russia-ukraine?with=russian-conditions-june-2024&as_of=2025-01-31")
    walk.go(
        page,
        "/talks/russia-ukraine/proposals/compare"
        "?a=russian-conditions-june-2024&b=ukraine-peace-formula",
    )
    walk.go(page, "/talks/russia-ukraine?with=atlantis", status=400)
    walk.go(page, "/demands")
    walk.go(page, "/demands/russian-withdrawal?as_of=2025-01-31")
    assert page.locator("#main svg").count() > 0, "the demand page has no chart"
    # The "copy embed code" control (js/copy.js) and the embeds it offers (issue 20).
    walk.go(page, "/talks/russia-ukraine/demands/russian-withdrawal")
    page.locator("#embed-code summary").click()
    page.locator("#embed-code button[data-copy]").click()
    page.locator("[data-copy-status]:not(:empty)").wait_for(timeout=5_000)
    walk.check(page, "copy embed code")
    walk.go(page, "/embed/talks/russia-ukraine")
    walk.go(page, "/embed/talks/russia-ukraine/parties/ukraine?as_of=2025-01-31")
    walk.go(page, "/embed/talks/russia-ukraine/demands/russian-withdrawal")
    walk.go(page, "/embed/talks/russia-ukraine/cells/ukraine/russian-withdrawal")
    walk.go(page, "/embed/talks/russia-ukraine/parties/atlantis", status=404)
    walk.go(page, "/compare")
    walk.go(page, "/compare?parties=russia,ukraine,united-states&as_of=2025-01-31")
    walk.go(page, "/compare?parties=russia,atlantis", status=400)
    walk.go(
        page,
        "/talks/russia-ukraine/compare?parties=russia,ukraine"
        "&with=russian-conditions-june-2024&as_of=2025-01-31",
    )
    assert page.locator("[data-plan-gap]").count() > 0
    walk.go(page, statement)
    walk.go(page, "/timeline")
    walk.go(page, "/timeline?party=ukraine&demand=russian-withdrawal")
    walk.go(page, "/sources")
    walk.go(page, first_href(page, "#sources-content a[href^='/sources/']"))
    walk.go(page, "/search?q=Putin+truce+or+peacekeepers")
    assert page.locator("#search-content li").count() > 0
    walk.go(page, "/search?q=zzyzx")
    walk.go(page, "/search")
    walk.go(page, "/about")
    walk.go(page, "/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=10_000)
    walk.check(page, "/docs rendered")
    walk.go(page, "/parties/atlantis", status=404)
    walk.go(page, "/statements/999999", status=404)
    walk.go(page, "/nowhere", status=404)
    walk.go(page, "/talks/russia-ukraine?as_of=2025-02-30", status=400)
    walk.go(page, "/timeline?from=not-a-date", status=400)


def htmx_interactions(walk: Walk, page: Any) -> None:
    """Every data-hx-* form a reader has; each must swap its target and push its URL."""
    walk.go(page, "/")
    row = 'td[data-party="ukraine"][data-demand="russian-withdrawal"]'
    today = page.locator(row).get_attribute("data-stance")
    page.fill("#as_of", "2024-12-31")
    page.fill("#since", "2024-01-01")
    walk.swap(page, "matrix date", "#matrix", lambda: page.click("form.date-form button"))
    page.wait_for_url("**/talks/russia-ukraine?as_of=2024-12-31&since=2024-01-01")
    assert page.locator(row).get_attribute("data-stance") == "insists"
    page.fill("#as_of", "2025-01-31")
    page.fill("#since", "")
    walk.swap(page, "matrix again", "#matrix", lambda: page.click("form.date-form button"))
    # The empty `since` is left out (issue 14).
    page.wait_for_url("**/talks/russia-ukraine?as_of=2025-01-31")
    # A mistyped year (the date field takes six digits): the message comes back into the form.
    type_date(page, "#as_of", "01", "31", "32025")
    walk.swap(page, "matrix bad year", "#date-form", lambda: page.click("form.date-form button"))
    assert "32025-01-31" in page.locator("#as_of-error").inner_text()
    assert page.locator("#matrix table").count() == 1
    page.wait_for_url("**/talks/russia-ukraine?as_of=2025-01-31")
    walk.check(page, "back")
    page.go_back()  # htmx restores the earlier state from the server (no history cache)
    page.wait_for_url("**/talks/russia-ukraine?as_of=2024-12-31&since=2024-01-01")
    page.locator(f"{row}[data-stance=insists]").wait_for()
    page.go_back()
    page.wait_for_url(walk.base + "/")
    page.locator(f"{row}[data-stance={today}]").wait_for()
    walk.check(page, "after back")

    for path in (
        "/parties/ukraine",
        "/talks/russia-ukraine/parties/ukraine",
        "/talks/russia-ukraine/demands/russian-withdrawal",
    ):
        walk.go(page, path)
        target = _swap_target(page)
        page.fill("#as_of", "2024-12-31")
        walk.swap(page, f"{path} date", target, lambda: page.click("form.date-form button"))
        page.wait_for_url(f"**{path}?as_of=2024-12-31")

    walk.go(page, "/compare")
    page.check("input[name=parties][value=russia]")
    page.check("input[name=parties][value=ukraine]")
    page.fill("#as_of", "2025-01-31")
    walk.swap(page, "compare", "#compare-content", lambda: page.click("form.compare-form button"))
    page.wait_for_url("**/compare?parties=russia&parties=ukraine&as_of=2025-01-31")
    assert page.locator("#comparison > li").count() > 0

    walk.go(page, "/timeline")
    page.select_option("#party", "ukraine")
    walk.swap(page, "timeline", "#timeline-content", lambda: page.click("form.date-form button"))
    page.wait_for_url("**/timeline?party=ukraine*")
    parties = page.locator("#timeline > li").evaluate_all("l => l.map(i => i.dataset.party)")
    assert parties and set(parties) == {"ukraine"}
    older = page.locator("a[rel=next]")
    if older.count():  # the demo data fits one page; more data would show "Older statements"
        walk.submit(page, "older", older.first.click, re.compile(r".*before=.*"))

    walk.go(page, "/sources")
    publisher = page.locator("#publisher option").nth(1).get_attribute("value")
    page.select_option("#publisher", publisher)
    walk.swap(page, "sources", "#sources-content", lambda: page.click("form.date-form button"))
    page.wait_for_url("**/sources?publisher=*")

    walk.go(page, "/search")
    page.fill("#q", "peacekeepers")
    walk.swap(page, "search", "#search-content", lambda: page.click("form.date-form button"))
    page.wait_for_url("**/search?q=peacekeepers")
    assert page.locator("#search-content li").count() > 0
    page.fill("#q", "zzyzx")
    walk.swap(page, "search none", "#search-content", lambda: page.click("form.date-form button"))
    assert page.locator("#search-content li").count() == 0


def type_date(page: Any, selector: str, month: str, day: str, year: str) -> None:
    """Type into a date field segment by segment, as a person does (en-US: month/day/year)."""
    page.focus(selector)  # the first segment, the month
    page.keyboard.type(month + day + year)


def _swap_target(page: Any) -> str:
    """The element the page's date form swaps (its data-hx-target)."""
    target = page.locator("form.date-form").get_attribute("data-hx-target")
    assert target, "the date form has no htmx target"
    return str(target)


def editor_forms(walk: Walk, page: Any, other: Any) -> None:
    """Add (with the source suggestions and a new source), edit, a stale edit's conflict page,
    retract, restore and bring back; the catalog pages; an editor refused an admin page."""
    # Issue 17's editor: the proposal form and the version form, its table from the previous.
    walk.go(
        page, "/talks/russia-ukraine/proposals/ukraine-peace-formula/versions/new?start=previous"
    )
    # A second demand for a point (a post back, no script), picked in the filtering list.
    walk.submit(
        page,
        "another demand",
        lambda: page.click("button[value='demand:0']"),
        re.compile(r".*/versions/new$"),
    )
    page.fill("#p0_demand_1-combobox", "sanctions")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#p0_demand_1").input_value() != ""
    walk.check(page, "second demand picked")
    # The proposal's own page links its editor for this editor of the talks.
    walk.go(page, "/talks/russia-ukraine/proposals/ukraine-peace-formula")
    walk.submit(
        page,
        "edit proposal",
        lambda: page.click("#editor-links a[href$='/edit']"),
        re.compile(r".*/ukraine-peace-formula/edit$"),
    )
    proposal_forms(walk, page)
    walk.go(page, "/statements/new")
    page.locator("#source_url").press_sequentially("peace talks")
    page.locator(".suggestion").first.wait_for()
    walk.check(page, "suggestions shown")
    assert page.locator("#source-suggestions .suggestion").count() > 0
    walk.swap(page, "pick a source", "#source-fields", lambda: page.click(".suggestion"))
    assert page.locator("#known-source").count() == 1
    # Then a new source instead: the known one shown read-only gives way to empty fields.
    another = page.get_by_role("button", name="Use another source instead")
    walk.swap(page, "another source", "#source-fields", another.click)
    page.select_option("#party", label="Ukraine")
    page.fill("#demand-combobox", "sanctions")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#demand").input_value() != ""
    page.check("#stance-rejects")
    # What it answers (issue 17), in the filtering list too.
    page.fill("#answers-combobox", "point 3")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#answers").input_value().startswith("point:")
    page.fill("#stated_on", "2025-01-20")
    page.fill("#summary", "Walked through every page.")
    page.fill("#source_url", "https://news.example.org/csp-walk")
    page.fill("#source_title", "The CSP walk")
    page.fill("#source_publisher", "Example Wire")
    saved = re.compile(r".*/statements/\d+\?saved=1(#history)?$")
    walk.submit(
        page, "add", lambda: page.get_by_role("button", name="Add statement").click(), saved
    )
    statement = page.url.split("?")[0][len(walk.base) :]
    assert "The CSP walk" in page.locator(".source").inner_text()

    walk.go(page, statement + "/edit")
    page.fill("#summary", "Walked through every page, twice.")
    edit = page.get_by_role("button", name="Save changes")
    walk.submit(page, "edit", edit.click, saved)

    # A stale form: opened here, saved meanwhile in another tab, then sent from here.
    walk.go(page, statement + "/edit")
    walk.go(other, statement + "/edit")
    other.fill("#speaker", "Someone else")
    walk.submit(other, "edit in the other tab", edit_button(other).click, saved)
    page.fill("#quote", "A quote typed on a stale form.")
    walk.check(page, "stale edit")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        edit.click()
    assert answer.value.status == 409
    page.wait_for_load_state("load")
    assert "Someone else saved this first" in page.locator("#conflict").inner_text()
    page.fill("#correction_note", "A quote was added.")  # published: readers are told
    walk.submit(page, "save on top", edit_button(page, "Save my version on top").click, saved)
    walk.go(page, "/corrections")  # issue 19: the correction just made
    walk.go(page, "/review")

    walk.go(page, statement + "/retract")
    walk.go(other, statement + "/retract")  # a stale retraction, below
    page.fill("#reason", "Walked away from.")
    retract = page.get_by_role("button", name="Retract")
    walk.submit(page, "retract", retract.click, saved)
    walk.submit(page, "restore", page.get_by_role("button", name="Restore").click, saved)
    other.fill("#reason", "Too late.")
    walk.check(other, "stale retract")
    with other.expect_response(lambda r: r.request.method == "POST") as answer:
        other.get_by_role("button", name="Retract").click()
    assert answer.value.status == 409
    other.wait_for_load_state("load")
    walk.check(other, "after stale retract")

    walk.go(page, statement)
    bring_back = page.get_by_role("button", name=re.compile(r"Bring back version 1"))
    walk.submit(page, "bring back", bring_back.click, saved)

    walk.go(page, "/edit")
    for kind in ("parties", "demands", "sources"):
        walk.go(page, f"/edit/{kind}")
        walk.go(page, first_href(page, "#records a"))
        walk.go(page, f"/edit/{kind}/new")
    walk.go(page, "/edit/parties/new")
    page.fill("#slug", "walkers")
    page.fill("#name", "The Walkers")
    page.fill("#short_name", "Walk")
    page.fill("#colour", "#884422")
    walk.submit(page, "add party", lambda: page.click("form.editor-form button"), "**/edit/**")
    party = page.url.split("?")[0][len(walk.base) :]  # the new party's edit page
    page.fill("#name", "The Walking Party")
    walk.submit(page, "edit party", lambda: page.click("form.editor-form button"), "**/edit/**")
    walk.go(page, party)
    walk.submit(
        page,
        "bring back a party",
        page.get_by_role("button", name=re.compile(r"Bring back version 1")).click,
        "**/edit/**",
    )
    walk.go(page, "/edit/demands")
    walk.submit(
        page,
        "move a demand",
        page.locator("form[action*='/move/down'] button").first.click,
        "**/edit/demands*",
    )
    walk.go(page, "/admin/users", status=403)
    walk.go(page, "/")
    walk.submit(page, "log out", page.get_by_role("button", name="Log out").click, "**/")


def proposal_forms(walk: Walk, page: Any) -> None:
    """A proposal added and edited; two versions, the first split from a pasted list, the
    second started from it; then what changed between them."""
    walk.go(page, "/talks/russia-ukraine/proposals/new")
    page.fill("#title", "The walkers' plan")
    page.locator("input[name^=author_]").first.check()
    add = page.get_by_role("button", name="Add the proposal")
    walk.submit(
        page, "add proposal", add.click, re.compile(r".*/proposals/the-walkers-plan\?saved=1$")
    )
    proposal = "/talks/russia-ukraine/proposals/the-walkers-plan"
    walk.go(page, proposal + "/edit")
    page.fill("#description", "Walked through, point by point.")
    save = page.get_by_role("button", name="Save the proposal")
    walk.submit(page, "edit proposal", save.click, re.compile(r".*/the-walkers-plan\?saved=1$"))

    walk.go(page, proposal + "/versions/new")
    known = page.locator("#known-sources option").first.get_attribute("value")
    assert known, "no known source to cite"
    for step, start in (("first version", None), ("second version", "#start-previous")):
        page.fill("#label", step.capitalize())
        page.fill("#issued_on", "2025-01" if start is None else "2025-02")
        page.fill("#source_url", known)
        if start is None:
            page.fill("#paste", "1. A ceasefire along the line.\n2. Talks within a month.")
            button = "#split"
        else:
            button = start
        walk.check(page, f"{step}: rows")
        with page.expect_navigation():
            page.click(button)
        page.wait_for_load_state("load")
        walk.check(page, f"{step}: rows shown")
        assert page.locator("#points tbody tr").count() == 2
        walk.submit(
            page, f"save {step}", lambda: page.click("#save-version"), re.compile(r".*\?saved=1$")
        )
        if start is None:
            walk.go(page, proposal + "/versions/new")
    walk.go(page, proposal + "/compare")


def edit_button(page: Any, name: str = "Save changes") -> Any:
    return page.get_by_role("button", name=name)


def admin_pages(walk: Walk, page: Any) -> None:
    walk.go(page, "/admin/users")
    walk.go(page, "/admin/users/new")
    page.fill("#email", "walker@example.org")
    page.fill("#display_name", "Walker")
    page.fill("#password", "a long walk through every page")
    walk.submit(page, "add account", lambda: page.click("form.editor-form button"), "**/admin/**")
    walk.go(page, "/admin/users")
    account = first_href(page, "tr[data-email='walker@example.org'] a")
    walk.go(page, account)
    page.select_option("#role", "admin")
    walk.submit(page, "role", page.get_by_role("button", name="Change role").click, "**/admin/**")
    walk.go(page, account)
    page.fill("#new_password", "another long walk, every page")
    change = page.get_by_role("button", name="Set new password")
    walk.submit(page, "password", change.click, "**/admin/**")
    walk.go(page, account)
    deactivate = page.get_by_role("button", name=re.compile("Deactivate"))
    walk.submit(page, "deactivate", deactivate.click, "**/admin/**")
    # The link check fetches every source's address (here none resolves: it says so).
    walk.go(page, "/edit/sources")
    check = page.get_by_role("button", name="Check every source link now")
    walk.submit(page, "check links", check.click, "**/edit/sources/check-links")
    assert "source links" in page.locator("#link-check-summary").inner_text()
    walk.go(page, "/admin/webhooks")
    page.fill("#url", "https://hooks.example.org/parley")
    page.check("input[name='kind_shift']")
    add = page.get_by_role("button", name="Add receiver")
    walk.submit(page, "add a webhook receiver", add.click, "**/admin/webhooks")
    replay = page.get_by_role("button", name="Switch on and replay failed").first
    walk.submit(page, "replay a webhook receiver", replay.click, "**/admin/webhooks")


def set_review(walk: Walk, admin: Any, negotiation_id: int, on: bool) -> None:
    walk.go(admin, f"/edit/negotiations/{negotiation_id}")
    admin.select_option("#statements_need_review", "True" if on else "False")
    save = edit_button(admin)
    walk.submit(admin, f"review {'on' if on else 'off'}", save.click, re.compile(r".*\?saved=1$"))


def review_pages(walk: Walk, editor: Any, admin: Any) -> None:
    """Issue 19: the admin turns review on, the editor enters two drafts, and the admin
    publishes one and sends the other back from /review, both in place (htmx)."""
    negotiation_id = admin.request.get(walk.base + "/api/negotiations/russia-ukraine").json()["id"]
    set_review(walk, admin, negotiation_id, on=True)
    log_in(walk, editor, "editor@example.org")  # editor_forms ended with a logout
    drafts = []
    for n in (1, 2):
        walk.go(editor, "/statements/new")
        editor.select_option("#party", label="Russia")
        editor.fill("#demand-combobox", "ceasefire")
        editor.keyboard.press("ArrowDown")
        editor.keyboard.press("Enter")
        editor.check("#stance-rejects")
        editor.fill("#stated_on", "2025-01-21")
        editor.fill("#summary", f"A draft for review, number {n}.")
        editor.fill("#source_url", f"https://news.example.org/csp-walk-draft-{n}")
        editor.fill("#source_title", f"Draft story {n}")
        editor.fill("#source_publisher", "Example Wire")
        add = editor.get_by_role("button", name="Add statement")
        walk.submit(editor, f"add draft {n}", add.click, re.compile(r".*/statements/\d+\?saved=1$"))
        drafts.append(editor.url.split("?")[0].rsplit("/", 1)[1])
    walk.submit(editor, "log out", editor.get_by_role("button", name="Log out").click, "**/")

    walk.go(admin, "/review")
    published, sent_back = (f"#draft-{d}" for d in drafts)
    walk.swap(
        admin,
        "publish",
        published,
        admin.locator(published).get_by_role("button", name="Publish").click,
    )
    assert "Published" in admin.locator(published).inner_text()
    admin.locator(f"{sent_back} textarea").fill("Which source says so?")
    walk.swap(
        admin,
        "send back",
        sent_back,
        admin.locator(sent_back).get_by_role("button", name="Send back").click,
    )
    assert "Sent back" in admin.locator(sent_back).inner_text()
    set_review(walk, admin, negotiation_id, on=False)


def second_factor_pages(walk: Walk, editor: Any, admin: Any) -> None:
    """An editor turns a second factor on from the account page; the admin makes new recovery
    codes, resets the editor's second factor, and logs in again with a code."""
    log_in(walk, editor, "editor@example.org")  # review_pages ended with a logout
    walk.go(editor, "/account")
    link = editor.get_by_role("link", name="Set up a second factor")
    walk.submit(editor, "second factor form", link.click, "**/account/second-factor")
    editor_account = f"{urlparse(editor.url).netloc} editor@example.org"
    SECRETS[editor_account] = editor.locator("#secret").inner_text().replace(" ", "")
    editor.fill("#code", fresh_code(editor_account))
    turn_on = editor.get_by_role("button", name="Turn on the second factor")
    walk.submit(editor, "second factor on", turn_on.click, "**/account/second-factor")
    assert editor.locator("#recovery-codes li").count() == 10

    walk.go(admin, "/account")
    admin.fill("#code", fresh_code(f"{urlparse(admin.url).netloc} admin@example.org"))
    new_codes = admin.get_by_role("button", name="Make new recovery codes")
    walk.submit(admin, "new recovery codes", new_codes.click, "**/account/recovery-codes")
    walk.go(admin, "/admin/users")
    walk.go(admin, first_href(admin, "tr[data-email='editor@example.org'] a"))
    reset = admin.get_by_role("button", name="Reset second factor")
    walk.submit(admin, "reset second factor", reset.click, "**/admin/**")
    # The negotiations the editor edits, saved as they are (every one: nothing changes for the
    # browser tests after this one).
    save_grant = admin.get_by_role("button", name="Save negotiations")
    walk.submit(admin, "save negotiations", save_grant.click, "**/admin/**")
    walk.submit(admin, "log out", admin.get_by_role("button", name="Log out").click, "**/")
    log_in(walk, admin, "admin@example.org")  # the code page this time


def html_routes() -> list[Route]:
    """Every route of the app, in the order the app tries them, that serves pages or forms."""
    from tests.api.test_openapi import app_routes

    app = create_app(Settings(database_url="sqlite://"))
    return [
        route
        for route in app_routes(app.routes)
        if isinstance(route, Route) and not route.path.startswith("/api/")
    ]


def answered_by(routes: list[Route], method: str, path: str) -> Route | None:
    scope = {"type": "http", "method": method, "path": path}
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:  # the first full match is the one that answers
            return route
    return None


def routes_never_requested(routes: list[Route], requests: set[tuple[str, str]]) -> list[str]:
    hit = {(m, r.path) for m, p in requests if (r := answered_by(routes, m, p)) is not None}
    return [
        f"{method} {route.path}"
        for route in routes
        if route.path not in NOT_PAGES and route.path not in NOT_YET_WALKED
        for method in sorted((route.methods or set()) - {"HEAD"})
        if (method, route.path) not in hit
    ]


TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def htmx_routes_in_templates() -> set[str]:
    """The route of every data-hx-get and data-hx-post in the templates (the as_of_form macro's
    from its calls)."""
    text = "\n".join(p.read_text() for p in TEMPLATES.rglob("*.html"))
    verbs = set(re.findall(r"data-hx-(get|post|put|patch|delete)=", text))
    # GETs, and the review queue's posts (issue 19); another verb would need its own step.
    assert verbs <= {"get", "post"}, verbs
    named = re.findall(r"""data-hx-(?:get|post)="\{\{ path_for\('(\w+)'""", text)
    macro_calls = re.findall(r"""as_of_form\(path_for\('(\w+)'""", text)
    # Every attribute is either named here or is the macro's own (one), so none is missed.
    written = text.count("data-hx-get=") + text.count("data-hx-post=")
    assert len(named) + 1 == written, "a data-hx-get or -post this test cannot read"
    return set(named) | set(macro_calls)


def test_every_page_and_htmx_interaction_runs_without_a_csp_violation(browser, server) -> None:
    reports_before = server.reports()
    walk = Walk(server.url)
    anonymous = walk.open(browser, "reader")
    reader_pages(walk, anonymous)
    htmx_interactions(walk, anonymous)
    walk.go(anonymous, "/statements/new")  # a reader is sent to log in
    assert anonymous.url.startswith(server.url + "/login?next=")

    editor = walk.open(browser, "editor")
    log_in(walk, editor, "editor@example.org")
    second_tab = editor.context.new_page()
    second_tab.role = "editor (second tab)"
    second_tab.on("console", lambda m: walk._console("editor (second tab)", m))
    reader_pages(walk, editor)
    htmx_interactions(walk, editor)
    editor_forms(walk, editor, second_tab)

    admin = walk.open(browser, "admin")
    log_in(walk, admin, "admin@example.org")
    reader_pages(walk, admin)
    admin_pages(walk, admin)
    review_pages(walk, editor, admin)
    second_factor_pages(walk, editor, admin)
    for page in (anonymous, editor, second_tab, admin):
        walk.check(page, "end")
    for page in (anonymous, editor, admin):
        page.context.close()

    routes = html_routes()
    missing = routes_never_requested(routes, walk.requests)
    assert missing == [], f"the walk never requested these routes: {missing}"
    swapped = {r.name for m, p in walk.htmx if (r := answered_by(routes, m, p)) is not None}
    assert htmx_routes_in_templates() - swapped == set(), "htmx attributes the walk never used"
    assert walk.errors == [], walk.errors
    assert walk.violations == [], "\n".join(walk.violations)
    assert walk.console == [], "\n".join(walk.console)
    time.sleep(1)  # report-uri posts are sent in the background
    assert server.reports() == reports_before, "the app received CSP violation reports"


def test_the_detectors_catch_a_violation(browser, server) -> None:
    """An inline script and an inline style injected into a served page are caught by the
    listener, the console and the report endpoint: the walk's zero means something."""
    reports_before = server.reports()
    walk = Walk(server.url)
    page = walk.open(browser, "tester")
    walk.go(page, "/about")
    page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.__ran = true';
          document.body.append(script);
          document.body.insertAdjacentHTML('beforeend', '<p style="color: red">inline</p>');
        }"""
    )
    page.wait_for_function("window.__csp.length >= 2")
    walk.check(page, "end")
    assert page.evaluate("window.__ran === undefined"), "the inline script ran"
    directives = " ".join(walk.violations)
    assert "script-src" in directives and "style-src" in directives, walk.violations
    assert len(walk.console) >= 2, walk.console
    deadline = time.monotonic() + 10
    while server.reports() < reports_before + 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.reports() >= reports_before + 2, "the report endpoint heard nothing"
    page.context.close()
