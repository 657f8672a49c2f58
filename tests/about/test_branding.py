"""The instance's name and description come from its settings, on every page and in the feed:
another instance (another negotiation) shows none of this one's words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from app.main import create_app
from app.settings import Settings
from tests.conftest import joined_sessionmaker
from tests.html import one, parse

NAME = "Harbour Watch"
DESCRIPTION = "Where each side of the harbour talks stands on each term, with sources."
PAGES = [
    "/",
    "/parties",
    "/parties/russia",
    "/demands",
    "/demands/russian-withdrawal",
    "/compare",
    "/compare?parties=russia,ukraine",
    "/statements/1",
    "/sources",
    "/sources/1",
    "/timeline",
    "/search?q=truce",
    "/about",
    "/login",
    "/parties/atlantis",
    "/docs",
]
# Words of this (default) instance that are data, not the site: the system account's name.
# And the demo negotiation's title, which the pages of its talks show (that no template names
# a war is tests/negotiations/test_talks_pages.py's).
DATA = ["Parley (system)", "Russia–Ukraine talks"]


@pytest.fixture
def branded(settings: Settings, connection: Connection) -> Iterator[TestClient]:
    app = create_app(
        settings.model_copy(update={"site_name": NAME, "site_description": DESCRIPTION})
    )
    app.state.sessionmaker = joined_sessionmaker(connection)
    with TestClient(app) as client:
        yield client


def without_data(text: str) -> str:
    for words in DATA:
        text = text.replace(words, "")
    return text


@pytest.mark.parametrize("path", PAGES)
def test_pages_name_the_instance_from_its_settings(branded, path: str) -> None:
    response = branded.get(path)
    assert response.status_code in (200, 404), response.text
    html = without_data(response.text)
    assert "Parley" not in html and "Russia–Ukraine" not in html
    page = parse(response)
    assert one(page, "head > title").get_text().endswith(f"· {NAME}") or path == "/docs"
    assert NAME in one(page, "head > title").get_text()
    if path != "/docs":
        assert NAME in one(page, ".brand").get_text()


def test_description_link_previews_and_about_page_use_the_settings(branded) -> None:
    home = parse(branded.get("/about"))
    assert one(home, 'meta[name="description"]')["content"] == DESCRIPTION
    assert NAME in one(home, "main").get_text()
    party = parse(branded.get("/parties/russia"))
    assert one(party, 'meta[property="og:site_name"]')["content"] == NAME


def test_feed_titles_and_author_name_the_instance(branded) -> None:
    for query in ("", "?party=ukraine"):
        response = branded.get(f"/talks/russia-ukraine/timeline.atom{query}")
        assert response.status_code == 200
        assert "Parley" not in response.text
        assert f"<title>{NAME}: Russia–Ukraine talks: new statements" in response.text
        assert f"<name>{NAME}</name>" in response.text
    assert branded.get("/openapi.json").json()["info"]["title"] == NAME
