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

T = "/talks/russia-ukraine"
PAGES = {
    "matrix": f"{T}?as_of=2025-01-31",
    "matrix-since": f"{T}?as_of=2025-01-31&since=2024-12-31",
    "demand": f"{T}/demands/nato-renunciation?as_of=2025-01-31",
    # Today, long after the last statement: the chart's story window, the marker past a break.
    "demand-today": f"{T}/demands/russian-withdrawal",
    "compare": f"{T}/compare?parties=russia,ukraine,united-states&as_of=2025-01-31",
    "timeline": f"{T}/timeline",
    "party": f"{T}/parties/ukraine?as_of=2025-01-31",
    "party-across": "/parties/united-states?as_of=2025-01-31",
    "proposal": f"{T}/proposals/russian-conditions-june-2024",
    "statement": "/statements/4",
    "source": "/sources/1",
    "search": "/search?q=Putin+truce+or+peacekeepers",
    "about": "/about",
}
WIDTHS = {"desktop": 1280, "phone": 375}
# Colour-vision deficiencies simulated (Machado, Oliveira and Fernandes 2009, full severity) by an
# SVG colour matrix over the whole page: what the palette looks like to those readers.
CVD = {
    "protanopia": "0.152 1.053 -0.205 0 0 0.115 0.786 0.099 0 0 -0.004 -0.048 1.052 0 0 0 0 0 1 0",
    "deuteranopia": "0.367 0.861 -0.228 0 0 0.280 0.673 0.047 0 0 -0.012 0.043 0.969 0 0 0 0 0 1 0",
    "tritanopia": "1.256 -0.077 -0.179 0 0 -0.078 0.931 0.148 0 0 0.005 0.691 0.304 0 0 0 0 0 1 0",
}
CVD_PAGES = {"matrix-since": PAGES["matrix-since"], "demand": PAGES["demand"]}


def shoot_cvd(out: Path) -> None:
    """docs/screenshots/cvd-*.png: the matrix and a chart as each deficiency sees them."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {"PARLEY_DATABASE_URL": f"sqlite:///{tmp}/demo.db"}
        with app_server(env, Path(tmp) / "server.log", "--demo") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for scheme in ("light", "dark"):
                # The filter is injected by the test, so this context alone lifts the CSP.
                context = browser.new_context(
                    viewport={"width": 1280, "height": 800}, color_scheme=scheme, bypass_csp=True
                )
                page = context.new_page()
                for name, path in CVD_PAGES.items():
                    for kind, matrix in CVD.items():
                        page.goto(url + path)
                        page.evaluate(
                            """m => { const ns = 'http://www.w3.org/2000/svg';
                              const svg = document.createElementNS(ns, 'svg');
                              svg.setAttribute('width', 0); svg.setAttribute('height', 0);
                              svg.innerHTML = `<filter id="cvd"><feColorMatrix type="matrix"
                                values="${m}"/></filter>`;
                              document.body.append(svg);
                              document.documentElement.style.filter = 'url(#cvd)'; }""",
                            matrix,
                        )
                        page.screenshot(
                            path=str(out / f"cvd-{kind}-{name}-{scheme}.png"), full_page=True
                        )
                context.close()
            browser.close()


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
    if sys.argv[2:] == ["--cvd"]:
        shoot_cvd(Path(sys.argv[1]))
    else:
        for key, value in shoot(Path(sys.argv[1])).items():
            print(key, value)
