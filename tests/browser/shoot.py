"""Screenshots of every reader page at 1280 and 375 px, light and dark, and the matrix's height:
`python -m tests.browser.shoot OUT_DIR` (the demo app on SQLite in a temporary directory).

The README's pictures and docs/screenshots/ come from here; the layout budget they show is
asserted in tests/browser/test_layout.py."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tests.app_server import app_server
from tests.browser.conftest import CHROMIUM

PAGES = {
    "matrix": "/?as_of=2025-01-31",
    "matrix-since": "/?as_of=2025-01-31&since=2024-12-31",
    "demand": "/demands/nato-renunciation?as_of=2025-01-31",
    "compare": "/compare?parties=russia,ukraine,united-states&as_of=2025-01-31",
    "timeline": "/timeline",
    "party": "/parties/ukraine?as_of=2025-01-31",
    "statement": "/statements/4",
    "source": "/sources/1",
    "search": "/search?q=Putin+truce+or+peacekeepers",
    "about": "/about",
}
WIDTHS = {"desktop": 1280, "phone": 375}


def shoot(out: Path) -> dict[str, dict[str, int]]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    heights: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {"PARLEY_DATABASE_URL": f"sqlite:///{tmp}/demo.db"}
        with app_server(env, Path(tmp) / "server.log", "--demo") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for label, width in WIDTHS.items():
                for scheme in ("light", "dark"):
                    context = browser.new_context(
                        viewport={"width": width, "height": 800}, color_scheme=scheme
                    )
                    page = context.new_page()
                    for name, path in PAGES.items():
                        page.goto(url + path)
                        key = f"{name}-{label}-{scheme}"
                        page.screenshot(path=str(out / f"{key}.png"), full_page=True)
                        heights[key] = page.evaluate(
                            """() => {
                              const m = document.querySelector('#matrix');
                              const r = m ? m.getBoundingClientRect() : null;
                              return {page: document.documentElement.scrollHeight,
                                      matrix: r ? Math.round(r.height) : null,
                                      matrix_bottom: r ? Math.round(r.bottom + scrollY) : null,
                                      sideways: document.documentElement.scrollWidth - innerWidth};
                            }"""
                        )
                    context.close()
            browser.close()
    (out / "heights.json").write_text(json.dumps(heights, indent=1) + "\n")
    return heights


if __name__ == "__main__":
    for key, value in shoot(Path(sys.argv[1])).items():
        print(key, value)
