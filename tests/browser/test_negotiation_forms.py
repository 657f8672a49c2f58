"""The catalog's negotiation and participation pages, and the demand form's negotiation, in a
real browser: they fit a phone and a desktop, light and dark (screenshots for a person)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

PAGES = {
    "negotiations": "/edit/negotiations",
    "participations": "/edit/participations",
    "participation-new": "/edit/participations/new",
    "demand-new": "/edit/demands/new",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "label"), [(375, "phone"), (1280, "desktop")])
def test_negotiation_pages_fit_the_screen(  # type: ignore[no-untyped-def]
    browser, server_url, admin_state, scheme, width, label
) -> None:
    # Negotiations and who takes part are the admins' pages (issue 16).
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, storage_state=admin_state
    )
    page = context.new_page()
    try:
        for name, path in PAGES.items():
            response = page.goto(server_url + path)
            assert response is not None and response.status == 200, path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            screenshot(page, f"negotiations-{name}-{label}-{scheme}")
        assert "Russia–Ukraine talks" in page.locator("#negotiation_id").inner_text()
    finally:
        context.close()
