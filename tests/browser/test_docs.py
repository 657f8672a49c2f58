from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_openapi_document_under_our_csp(page, server_url) -> None:
    page.goto(server_url + "/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(timeout=10_000)
    assert "Parley" in title.inner_text()
    # The `page` fixture fails the test on any console error, CSP violations included.
