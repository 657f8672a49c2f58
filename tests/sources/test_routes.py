from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_source, make_statement
from tests.html import one, parse, words


def test_sources_list_names_publisher_kind_date_and_how_many_statements_each_backs(client) -> None:
    page = parse(client.get("/sources"))
    card = one(page, "#sources li")
    assert "Challenges And Prospects For Ukraine Peace Talks" in words(card)
    assert "Associated Press · news report · January 2025 · backs 18 statements" in words(card)


def test_sources_filter_by_publisher_and_kind(client, session) -> None:
    make_source(session, publisher="Kremlin", title="Transcript", kind="official_transcript")
    session.commit()
    titles = lambda q: [words(h) for h in parse(client.get(f"/sources?{q}")).select("#sources h2")]  # noqa: E731
    assert titles("publisher=Kremlin") == ["Transcript"]
    assert titles("kind=official_transcript") == ["Transcript"]
    assert "Transcript" not in titles("publisher=Associated+Press")
    assert titles("publisher=Kremlin&kind=news_report") == []


def test_sources_are_paginated(client, session) -> None:
    for n in range(30):
        make_source(session, publisher="Pager Press", published_on=dt.date(2024, 1, 1 + n % 28))
    session.commit()
    first = parse(client.get("/sources?publisher=Pager+Press"))
    assert len(first.select("#sources li")) == 25
    following = one(first, "a[rel=next]")["href"]
    assert following == "/sources?publisher=Pager+Press&page=2"
    second = parse(client.get(following))
    assert len(second.select("#sources li")) == 5
    assert not second.select("a[rel=next]")
    assert one(second, "a[rel=prev]")["href"] == "/sources?publisher=Pager+Press"
    ids = {li["data-source"] for li in first.select("#sources li")}
    assert ids.isdisjoint(li["data-source"] for li in second.select("#sources li"))


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("publisher=Nobody", "No source is published by 'Nobody'"),
        ("kind=rumour", "'rumour' is not a kind of source"),
        ("page=two", "page must be a whole number"),
        ("page=0", "page must be a whole number"),
        ("page=99999999", "page must be a whole number"),
    ],
)
def test_bad_filters_and_pages_are_400_with_the_reason(client, query: str, reason: str) -> None:
    response = client.get(f"/sources?{query}")
    assert response.status_code == 400
    assert reason in words(one(parse(response), "[role=alert]"))


def test_source_page_lists_every_statement_it_backs_with_links(client) -> None:
    source_link = parse(client.get("/sources")).select_one("#sources h2 a")["href"]
    page = parse(client.get(source_link))
    statements = page.select("#backed li")
    assert len(statements) == 18
    assert all(li.select_one("a[href^='/statements/']") for li in statements)
    # Each names its party within the statement's talks.
    assert all(li.select_one("a[href^='/talks/russia-ukraine/parties/']") for li in statements)
    assert one(page, ".source a")["href"].startswith("https://")


def test_source_page_paginates_its_statements(client, session) -> None:
    source = make_source(session)
    for day in range(1, 28):
        make_statement(session, source=source, stated_on=dt.date(2025, 1, day))
    session.commit()
    first = parse(client.get(f"/sources/{source.id}"))
    assert len(first.select("#backed li")) == 25
    second = parse(client.get(one(first, "a[rel=next]")["href"]))
    assert len(second.select("#backed li")) == 2


def test_unknown_source_is_a_404_pointing_to_the_list(client) -> None:
    response = client.get("/sources/99999")
    assert response.status_code == 404
    assert parse(response).select_one("main a[href='/sources']") is not None


def test_bad_page_number_on_a_source_is_a_400(client) -> None:
    response = client.get("/sources/1?page=-3")
    assert response.status_code == 400
    assert "page must be a whole number" in words(one(parse(response), "[role=alert]"))


def test_source_pages_query_counts_are_fixed(client, session, queries) -> None:
    client.get("/sources")
    list_baseline = queries.count
    # The data version, publishers for the filter, one page of sources with counts.
    assert list_baseline == 3
    queries.clear()
    client.get("/sources/1")
    assert queries.count == 3  # data version, the source, a page of its statements

    source = make_source(session)
    for day in range(1, 20):
        make_statement(session, source=source, stated_on=dt.date(2025, 1, day))
    session.commit()
    queries.clear()
    client.get("/sources")
    assert queries.count == list_baseline
    queries.clear()
    client.get(f"/sources/{source.id}")
    assert queries.count == 3
