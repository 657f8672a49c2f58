"""Read rendered pages the way a test should: by selector, not by snapshot."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag


def parse(response_or_text: object) -> BeautifulSoup:
    text = getattr(response_or_text, "text", response_or_text)
    assert isinstance(text, str)
    return BeautifulSoup(text, "html.parser")


def one(soup: BeautifulSoup | Tag, selector: str) -> Tag:
    found = soup.select(selector)
    assert len(found) == 1, f"expected one {selector!r}, found {len(found)}"
    return found[0]


def words(element: Tag) -> str:
    """The element's text with whitespace collapsed, as a reader sees it."""
    return " ".join(element.get_text(" ").split())
