"""An admin in a real Chromium: a new admin sets up the second factor at first login (QR code,
key, code), keeps the recovery codes, logs out and logs in again with a code. Screenshots of the
set-up, recovery-code and code pages at 1280 and 375 px: test-artifacts/."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pyotp
import pytest

from tests.browser.conftest import SECRETS, fresh_code, log_in, screenshot

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe-4.14.1.min.js"
PASSWORD = "a long password for the browser test"
_serial = itertools.count(1)


def both_widths(page, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size({"width": 375, "height": 900})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{name} scrolls sideways on a phone"


def no_axe_violations(page) -> None:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa',"
        " 'wcag22aa']}, resultTypes: ['violations']}).then(r => r.violations.map(v => v.id))"
    )
    assert violations == []


def test_a_new_admin_sets_up_the_second_factor_and_logs_in_with_a_code(
    browser, page, server_url
) -> None:
    email = f"second-admin-{next(_serial)}@example.org"
    log_in(page, server_url, "admin@example.org")
    page.goto(server_url + "/admin/users/new")
    page.fill("#email", email)
    page.fill("#display_name", "Second Admin")
    page.select_option("#role", "admin")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Add account").click()
    page.wait_for_url("**?saved=1")

    # bypass_csp only so that axe can be injected; the CSP itself is checked by `page`.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    admin = context.new_page()
    admin.goto(server_url + "/login")
    admin.fill("#email", email)
    admin.fill("#password", PASSWORD)
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url("**/login/second-factor/setup")
    assert admin.locator(".qr svg").is_visible()
    assert "Log in" in admin.locator('nav[aria-label="Main"]').inner_text()  # not logged in yet
    both_widths(admin, "second-factor-setup")
    no_axe_violations(admin)

    SECRETS[email] = admin.locator("#secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(SECRETS[email])
    taken = {totp.at(time.time() + d) for d in (-60, -30, 0, 30, 60)}
    admin.fill("#code", next(c for c in ("123456", "654321", "111111") if c not in taken))
    admin.get_by_role("button", name="Turn on the second factor").click()
    assert "not right" in admin.locator("[role=alert]").inner_text()
    admin.fill("#code", fresh_code(email))
    admin.get_by_role("button", name="Turn on the second factor").click()
    codes = admin.locator("#recovery-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    assert "Store these now" in admin.locator("#store-codes").inner_text()
    both_widths(admin, "second-factor-recovery-codes")
    no_axe_violations(admin)
    admin.get_by_role("link", name="I have stored them: continue").click()
    admin.wait_for_url(server_url + "/")
    assert admin.goto(server_url + "/admin/users").status == 200

    admin.get_by_role("button", name="Log out").click()
    admin.wait_for_url(server_url + "/")
    admin.goto(server_url + "/login")
    admin.fill("#email", email)
    admin.fill("#password", PASSWORD)
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url("**/login/second-factor")
    assert admin.locator("#code").evaluate("e => e === document.activeElement")
    both_widths(admin, "second-factor-code")
    no_axe_violations(admin)
    admin.keyboard.type(fresh_code(email))
    admin.keyboard.press("Enter")
    admin.wait_for_url(server_url + "/")
    assert "Log out" in admin.locator('nav[aria-label="Main"]').inner_text()
    admin.get_by_role("link", name="Account").click()
    assert admin.locator("#second-factor").inner_text().startswith("on")
    assert SECRETS[email] not in admin.content()
    context.close()
