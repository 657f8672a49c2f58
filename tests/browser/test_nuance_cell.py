"""A matrix cell that is partial, conditional and reported at once, and a demand chart with
off-scale answers (issue 18), in Chromium: its disclosure opens by keyboard, axe finds no WCAG
violation in light or dark at 1280 and 375 px, nothing breaks the Content Security Policy, and
screenshots are kept for a person to look at (docs/screenshots/nuance-*.png when
PARLEY_KEEP_SCREENSHOTS names that folder; test-artifacts/ otherwise).

On test data of its own (a server of its own, the demo plus these statements), never the demo:
the article says none of this (see docs/demo-data.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.demo import load_demo
from app.evidence import Evidence
from app.migrate import upgrade
from app.models import Demand, Party
from app.settings import Settings
from app.sources.service import SourceFields, source_for
from app.stances import Stance
from app.statements.service import ConditionFields, StatementFields, create_statement
from app.users.service import system_user
from tests.app_server import app_server
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import AXE, WCAG_TAGS, _describe

pytestmark = pytest.mark.browser

CELL = "#cell-russia-withdrawal-from-four-regions"
MATRIX = "/talks/russia-ukraine?as_of=2025-01-31"
DEMAND = "/talks/russia-ukraine/demands/withdrawal-from-four-regions?as_of=2025-01-31"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 800}}


def _add_test_statements(url: str) -> None:
    """Through the write path, as an editor's form would: a partial, conditional, reported
    stance, and Ukraine's declined answer on the same demand."""
    engine = make_engine(Settings(database_url=url))
    with Session(engine) as session:
        user = system_user(session)
        party = {p.slug: p for p in session.scalars(select(Party))}
        demand = {d.slug: d for d in session.scalars(select(Demand))}
        source = source_for(
            session,
            SourceFields(
                url="https://news.example.org/test-data-nuance",
                title="Test data: a report citing another outlet",
                publisher="Example News",
            ),
            user=user,
        )
        create_statement(
            session,
            StatementFields(
                stance=Stance.ACCEPTS,
                stated_on=dt.date(2025, 1, 20),
                summary="Test data: would pull back from part of one region.",
                partial=True,
                scope_note="Kherson's right bank only",
                conditions=[ConditionFields(demand_id=demand["nato-renunciation"].id)],
                evidence=Evidence.OTHER_OUTLET,
                evidence_outlet="Example Wire",
            ),
            party=party["russia"],
            demand=demand["withdrawal-from-four-regions"],
            source=source,
            user=user,
        )
        create_statement(
            session,
            StatementFields(
                stance=None,
                off_scale="declined",
                stated_on=dt.date(2025, 1, 22),
                summary="Test data: declined to comment.",
            ),
            party=party["ukraine"],
            demand=demand["withdrawal-from-four-regions"],
            source=source,
            user=user,
        )
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def nuance_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("nuance") / "nuance.db"
    url = f"sqlite:///{database}"
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    engine.dispose()
    _add_test_statements(url)
    log = tmp_path_factory.getbasetemp() / "nuance-server.log"
    with app_server({"PARLEY_DATABASE_URL": url}, log) as base:
        yield base


def _open(browser, url: str, size: str, scheme: str, bypass_csp: bool = False):  # type: ignore[no-untyped-def]
    # axe is added as an inline script, which our CSP rightly blocks: its contexts bypass the
    # CSP (as tests/browser/test_accessibility.py does); the CSP is checked in the others.
    context = browser.new_context(viewport=SIZES[size], color_scheme=scheme, bypass_csp=bypass_csp)
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(url)
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    return context, page, errors


def _axe(browser, url: str, size: str, scheme: str, opening: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    context, page, _errors = _open(browser, url, size, scheme, bypass_csp=True)
    if opening:
        page.locator(opening).click()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    context.close()
    return result["violations"]  # type: ignore[no-any-return]


def _keep(name: str) -> Path:
    folder = Path(os.environ.get("PARLEY_KEEP_SCREENSHOTS", ARTIFACTS))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_a_partial_conditional_reported_cell_opens_and_passes_axe(
    browser, nuance_url, size: str, scheme: str
) -> None:
    context, page, errors = _open(browser, nuance_url + MATRIX, size, scheme)
    # On a phone the matrix reads per demand: the same cell, laid out as a chip.
    cell = page.locator(CELL)
    field = cell.locator("summary")
    text = " ".join(field.inner_text().split()).lower()  # "reported" is in small capitals
    assert "partial" in text and "only if" in text and "reported" in text, text
    # By keyboard: focus the disclosure, Enter opens it.
    field.focus()
    page.keyboard.press("Enter")
    assert cell.locator("details").get_attribute("open") is not None
    detail = " ".join(cell.locator(".cell__detail").inner_text().split())
    assert "Partial: Kherson's right bank only" in detail and "Conditional" in detail
    violations = _axe(browser, nuance_url + MATRIX, size, scheme, opening=f"{CELL} summary")
    assert violations == [], _describe(violations)
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=str(_keep(f"nuance-cell-{size}-{scheme}")))
    assert page.evaluate("window.__csp") == []
    assert errors == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_a_demand_chart_with_off_scale_and_reported_marks_passes_axe(
    browser, nuance_url, size: str, scheme: str
) -> None:
    context, page, errors = _open(browser, nuance_url + DEMAND, size, scheme)
    drawing = page.locator(
        "#stance-chart svg.chart__svg--" + ("wide" if size == "desktop" else "narrow")
    )
    assert drawing.is_visible()
    assert drawing.locator("g.chart__off").count() == 1
    assert drawing.locator("circle.chart__reported").count() == 1
    legend = " ".join(page.locator("#stance-chart .chart__legend").inner_text().split())
    assert "declined to say (off the scale" in legend and "reported" in legend
    # The points' names are in the accessibility tree, as text.
    names = json.dumps(page.locator("#stance-chart").inner_text())
    assert "off the scale" in names
    violations = _axe(browser, nuance_url + DEMAND, size, scheme)
    assert violations == [], _describe(violations)
    page.locator("#stance-chart").screenshot(path=str(_keep(f"nuance-chart-{size}-{scheme}")))
    assert page.evaluate("window.__csp") == []
    assert errors == []
    context.close()
