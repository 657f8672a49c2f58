"""Embeds framed by a page of another origin (issue 20, item 4): each renders inside the frame;
a normal page refuses to be framed (frame-ancestors 'none')."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.app_server import free_port

pytestmark = pytest.mark.browser

EMBEDS = {
    "matrix": ("/embed/talks/russia-ukraine", "#embed-matrix td[data-party]"),
    "party": ("/embed/talks/russia-ukraine/parties/ukraine", "#embed-positions tr"),
    "demand": ("/embed/talks/russia-ukraine/demands/russian-withdrawal", "#embed-chart svg"),
    "cell": ("/embed/talks/russia-ukraine/cells/ukraine/russian-withdrawal", "#embed-stance"),
}
FRAMED_PAGE = "/talks/russia-ukraine/parties/ukraine"


def article(app: str) -> bytes:
    frames = "".join(
        f'<h2>{name}</h2><iframe id="{name}" src="{app}{path}" width="800" height="500"></iframe>'
        for name, (path, _) in EMBEDS.items()
    )
    return (
        "<!doctype html><title>An article elsewhere</title><h1>An article</h1>"
        f'{frames}<h2>page</h2><iframe id="page" src="{app}{FRAMED_PAGE}"></iframe>'
    ).encode()


@pytest.fixture
def other_origin(server_url: str) -> Iterator[str]:
    # localhost, not 127.0.0.1, and another port: another origin by both host and port.
    body = article(server_url)

    class Article(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Article)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}/"
    httpd.shutdown()


def test_embeds_render_in_another_origins_frames_and_a_normal_page_does_not(
    browser, other_origin: str, server_url: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refusals: list[str] = []
    page.on("console", lambda m: refusals.append(m.text) if "frame" in m.text.lower() else None)
    page.goto(other_origin)
    page.wait_for_load_state("load")
    for name, (_path, selector) in EMBEDS.items():
        frame = page.frame_locator(f"#{name}")
        frame.locator(selector).first.wait_for(timeout=10_000)
        assert frame.locator("#embed-back").get_attribute("href", timeout=5_000)
        assert frame.locator("#embed-as-of time").count() == 1
    # Chromium refuses the frame (it says so on the console) and shows its own error page in
    # it: nothing of ours is in it.
    assert page.frame_locator("#page").locator("#main").count() == 0
    assert any("frame-ancestors" in text for text in refusals), refusals
    context.close()
