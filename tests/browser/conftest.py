"""A real app server (uvicorn subprocess, demo data on SQLite) and a real Chromium."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pyotp
import pytest

from app.auth.second_factor import VALID_WINDOW, current_step
from tests.app_server import app_server

CHROMIUM = Path(os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not CHROMIUM.exists():
    if os.environ.get("PARLEY_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium`")
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("browser") / "demo.db"
    log = tmp_path_factory.getbasetemp() / "server.log"
    with app_server({"PARLEY_DATABASE_URL": f"sqlite:///{database}"}, log, "--demo") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            # app/share/images.py points this process's fontconfig at the DejaVu faces only;
            # the browser sees the machine's fonts, as a reader's would.
            env={k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"},
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def admin_state(browser, server_url):  # type: ignore[no-untyped-def]
    """The demo admin's signed-in cookies on the shared server (its Playwright storage state),
    logged in once. Each code is good once, so logging in a third time within 30 s waits for
    the authenticator's next code: tests that only need an admin signed in start from this."""
    context = browser.new_context()
    page = context.new_page()
    log_in(page, server_url, "admin@example.org")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Content-Security-Policy violations become console errors, which fail the test below.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A 4xx page is a deliberate answer; a broken script, style or image is not.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400
            and r.request.resource_type != "document"
            and r.request.headers.get("hx-request") != "true"
            else None
        ),
    )
    yield page
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-page PNG under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


DEMO_PASSWORD = "parley-demo-password"
# Authenticator secrets set up in this run's databases: what each person's phone holds. Keyed
# by account, which is the email, or "host:port email" where several servers have the same one.
SECRETS: dict[str, str] = {}
_used_steps: dict[str, int] = {}


def fresh_code(account: str) -> str:
    """A code the app will take now (each is good once), as the authenticator app shows it."""
    step = max(current_step(), _used_steps.get(account, -1) + 1)
    while step > current_step() + VALID_WINDOW:
        time.sleep(0.5)
    _used_steps[account] = step
    return pyotp.TOTP(SECRETS[account]).at(step * 30)


def pass_second_factor(page, email: str) -> None:  # type: ignore[no-untyped-def]
    """After the password: set up the second factor (an admin's first login) or give a code."""
    # The password was just sent: wait for the answer's page, not the login form still showing.
    page.wait_for_url(lambda url: urlparse(url).path != "/login")
    # The demo admin exists on every server a test starts, each with its own secret.
    account = f"{urlparse(page.url).netloc} {email}"
    if page.url.endswith("/login/second-factor/setup"):
        SECRETS[account] = page.locator("#secret").inner_text().replace(" ", "")
        page.fill("#code", fresh_code(account))
        page.get_by_role("button", name="Turn on the second factor").click()
        page.get_by_role("link", name="I have stored them: continue").click()
    elif page.url.endswith("/login/second-factor"):
        page.fill("#code", fresh_code(account))
        page.get_by_role("button", name="Log in").last.click()
    page.wait_for_load_state("load")


def log_in(page, server_url: str, email: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    pass_second_factor(page, email)
