"""An admin gives an editor one negotiation, and that editor's statement form offers only its
demands and its parties: in a real browser, on a server of its own (a second negotiation would
change the demo's pages for the other browser tests). Screenshots of the admin pages at 1280
and 375 px, light and dark."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.app_server import app_server
from tests.browser.conftest import log_in, screenshot

PASSWORD = "a long password for the scoped editor"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("grants") / "demo.db"
    log = tmp_path_factory.getbasetemp() / "grants-server.log"
    with app_server({"PARLEY_DATABASE_URL": f"sqlite:///{database}"}, log, "--demo") as url:
        yield url


def choose(page, selector: str, label: str) -> None:  # type: ignore[no-untyped-def]
    page.select_option(selector, label=label)


def test_an_admin_gives_an_editor_one_negotiation(browser, own_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, own_server, "admin@example.org")
    # Second talks, where the United States mediates, with a demand of their own.
    page.goto(own_server + "/edit/negotiations/new")
    page.fill("#slug", "sudan")
    page.fill("#title", "Sudan talks")
    page.get_by_role("button", name="Add negotiation").click()
    page.goto(own_server + "/edit/participations/new")
    choose(page, "#negotiation_id", "Sudan talks")
    choose(page, "#party_id", "United States")
    choose(page, "#role", "mediator")
    page.get_by_role("button", name="Add participation").click()
    page.goto(own_server + "/edit/demands/new")
    choose(page, "#negotiation_id", "Sudan talks")
    page.fill("#title", "A ceasefire in Darfur")
    page.get_by_role("button", name="Add demand").click()
    assert "saved=1" in page.url

    # The account, made with that one negotiation ticked.
    page.goto(own_server + "/admin/users/new")
    page.fill("#email", "sudan-desk@example.org")
    page.fill("#display_name", "Sudan desk")
    page.fill("#password", PASSWORD)
    page.check("#negotiations-named")
    page.get_by_label("Sudan talks").check()
    page.get_by_role("button", name="Add account").click()
    assert "saved=1" in page.url
    assert page.locator("#account-negotiations").inner_text() == "Sudan talks"
    account_url = page.url.split("?")[0]
    # The history names the grant in words.
    assert "Sudan talks" in page.locator("#history").inner_text()
    # The admin's signed-in cookies, for the views below: logging in again would wait for the
    # authenticator's next code (each is good once), about 30 s a login.
    admin_state = context.storage_state()
    context.close()

    editor = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = editor.new_page()
    log_in(desk, own_server, "sudan-desk@example.org", PASSWORD)
    desk.goto(own_server + "/statements/new")
    demands = desk.locator("#demand option").all_inner_texts()
    parties = desk.locator("#party option").all_inner_texts()
    assert demands[1:] == ["A ceasefire in Darfur"], demands
    assert parties[1:] == ["United States"], parties
    screenshot(desk, "grants-statement-form-scoped-editor")
    # The catalog's demand form offers the one negotiation too.
    desk.goto(own_server + "/edit/demands/new")
    assert desk.locator("#negotiation_id option").all_inner_texts() == ["Sudan talks"]
    screenshot(desk, "grants-demand-form-scoped-editor")
    editor.close()

    for scheme in ("light", "dark"):
        for width, label in ((1280, "desktop"), (375, "phone")):
            context = browser.new_context(
                viewport={"width": width, "height": 900},
                color_scheme=scheme,
                storage_state=admin_state,
            )
            page = context.new_page()
            for name, url in (
                ("list", own_server + "/admin/users"),
                ("new", own_server + "/admin/users/new"),
                ("account", account_url),
            ):
                page.goto(url)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
                screenshot(page, f"grants-{name}-{label}-{scheme}")
            # A refused grant, as the admin sees it.
            page.goto(account_url)
            page.check("#negotiations-named")
            page.evaluate(
                "document.querySelector('#negotiations').insertAdjacentHTML('beforeend',"
                " '<input type=checkbox name=negotiation_424242 value=1 checked>')"
            )
            page.get_by_role("button", name="Save negotiations").click()
            assert "no negotiation #424242" in page.locator("#negotiations-error").inner_text()
            screenshot(page, f"grants-refused-{label}-{scheme}")
            context.close()
