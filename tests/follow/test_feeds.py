"""The follow feeds: one per party, demand, cell and proposal, each entry the change in words,
valid Atom (read back by feedparser), ids unique per instance, bounded, no query per entry."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from app.atom import FEED_SIZE
from app.dates import DatePrecision
from app.models import Source, Statement
from app.stances import Stance
from app.statements.service import (
    CorrectionFields,
    RetractionFields,
    StatementFields,
    retract_statement,
    update_statement,
)
from app.users.service import system_user
from tests.factories import (
    make_demand,
    make_negotiation,
    make_participation,
    make_party,
    make_source,
    make_statement,
)
from tests.html import parse


@pytest.fixture
def cell(session):
    """Russia's history on a ceasefire demand: rejects (Jan 2025), rejects again, then open."""
    talks = make_negotiation(session, slug="follow-talks", title="Follow talks")
    party = make_party(session, slug="russland", name="Russland")
    make_participation(session, party=party, negotiation=talks)
    demand = make_demand(
        session,
        negotiation=talks,
        slug="temporary-ceasefire",
        title="A temporary ceasefire before a full agreement",
    )
    interfax = make_source(session, publisher="Interfax")
    month = DatePrecision.MONTH
    first = make_statement(
        session,
        party=party,
        demand=demand,
        source=interfax,
        stance=Stance.REJECTS,
        stated_on=dt.date(2025, 1, 1),
        stated_on_precision=month,
    )
    again = make_statement(
        session,
        party=party,
        demand=demand,
        source=interfax,
        stance=Stance.REJECTS,
        stated_on=dt.date(2025, 3, 1),
        stated_on_precision=month,
    )
    moved = make_statement(
        session,
        party=party,
        demand=demand,
        source=interfax,
        stance=Stance.OPEN,
        stated_on=dt.date(2025, 6, 1),
        stated_on_precision=month,
    )
    return talks, party, demand, (first, again, moved)


def parsed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == len(set(ids))
    return feed


def by_id(feed, statement: Statement):
    return next(e for e in feed.entries if e.id.endswith(f":statement/{statement.id}"))


def test_a_cell_feed_says_each_change_in_words(client, cell) -> None:
    *_, (first, again, moved) = cell
    feed = parsed(
        client, "/talks/follow-talks/parties/russland/demands/temporary-ceasefire/feed.atom"
    )
    assert by_id(feed, moved).summary == (
        "Russland moved from rejects to open / conditional on ‘A temporary ceasefire before a "
        "full agreement’ (Interfax, June 2025); it had rejected it since January 2025."
    )
    assert by_id(feed, moved).tags[0].term == "shift"
    assert by_id(feed, again).tags[0].term == "restatement"
    assert "restated" in by_id(feed, again).summary
    assert by_id(feed, first).tags[0].term == "new"
    assert "took a first position" in by_id(feed, first).summary


def test_retractions_and_corrections_are_told_apart(client, session, cell) -> None:
    _, party, demand, (_, again, moved) = cell
    user = system_user(session)
    retract_statement(
        session,
        again,
        RetractionFields(reason="Misattributed quote."),
        form_version=again.version,
        user=user,
    )
    fields = StatementFields(
        stance=Stance.OPEN,
        stated_on=dt.date(2025, 6, 2),
        stated_on_precision=DatePrecision.DAY,
        summary="Corrected summary.",
    )
    # A correction moments later than its entry: the clock, not the test, says it is later.
    session.execute(
        Statement.__table__.update()
        .where(Statement.id == moved.id)
        .values(
            created_at=moved.created_at - dt.timedelta(minutes=5),
            published_at=moved.created_at - dt.timedelta(minutes=5),
        )
    )
    update_statement(
        session,
        moved,
        fields,
        party=party,
        demand=demand,
        source=session.get(Source, moved.source_id),
        form_version=moved.version,
        user=user,
        correction=CorrectionFields(note="the stance was open, not a rejection"),
    )
    feed = parsed(client, "/talks/follow-talks/parties/russland/feed.atom")
    retracted = by_id(feed, again)
    assert retracted.tags[0].term == "retraction"
    assert "was retracted" in retracted.summary and "Misattributed quote." in retracted.summary
    corrected = by_id(feed, moved)
    assert [t.term for t in corrected.tags] == ["correction", "shift"]
    assert corrected.summary.startswith("Corrected on ")
    assert "the stance was open, not a rejection." in corrected.summary
    # With the restatement retracted, the shift's run started in January still.
    assert "it had rejected it since January 2025" in corrected.summary
    # The corrected entry keeps its id and comes back to the top, newer than the others.
    assert feed.entries[0].id == corrected.id


def test_every_feed_parses_and_every_page_links_its_own(client, session, cell) -> None:
    _ = cell
    pages = {
        "/talks/follow-talks/parties/russland": "/talks/follow-talks/parties/russland/feed.atom",
        "/talks/follow-talks/demands/temporary-ceasefire": (
            "/talks/follow-talks/demands/temporary-ceasefire/feed.atom"
        ),
        "/talks/follow-talks/timeline?party=russland&demand=temporary-ceasefire": (
            "/talks/follow-talks/parties/russland/demands/temporary-ceasefire/feed.atom"
        ),
        "/talks/follow-talks": "/talks/follow-talks/timeline.atom",
        f"/statements/{cell[3][0].id}": (
            "/talks/follow-talks/parties/russland/demands/temporary-ceasefire/feed.atom"
        ),
    }
    for page, feed_url in pages.items():
        links = parse(client.get(page)).select('link[rel="alternate"][type="application/atom+xml"]')
        assert feed_url in [link["href"] for link in links], page
        feed = parsed(client, feed_url)
        assert len(feed.entries) == 3
        base = client.app.state.settings.public_base_url
        assert all(e.link.startswith(f"{base}/statements/") for e in feed.entries)


def test_the_negotiation_feed_tells_changes_in_words_too(client, cell) -> None:
    feed = parsed(client, "/talks/follow-talks/timeline.atom")
    assert any("moved from rejects to open / conditional" in e.summary for e in feed.entries)


def test_entry_ids_are_the_instances_own(client, cell) -> None:
    settings = client.app.state.settings
    feed = parsed(client, "/talks/follow-talks/parties/russland/feed.atom")
    assert all(e.id.startswith(f"tag:{settings.tag_authority}:") for e in feed.entries)
    assert feed.feed.id.startswith(f"tag:{settings.tag_authority}:")
    timeline = parsed(client, "/talks/follow-talks/timeline.atom")
    # The same statement, the same entry id, in every feed it appears in.
    assert {e.id for e in timeline.entries} == {e.id for e in feed.entries}


def test_tag_authority_comes_from_the_base_url_or_the_setting(settings) -> None:
    other = settings.model_copy(update={"base_url": "https://parley.example.net"})
    assert other.tag_authority == "parley.example.net,2026"
    kept = settings.model_copy(update={"feed_tag_authority": "parley.statements,2026"})
    assert kept.tag_authority == "parley.statements,2026"


def test_feeds_are_bounded_and_cost_no_query_per_entry(client, session, cell, queries) -> None:
    _, party, demand, _ = cell
    url = "/talks/follow-talks/parties/russland/demands/temporary-ceasefire/feed.atom"
    queries.clear()
    assert len(parsed(client, url).entries) == 3
    few = queries.count
    source = make_source(session, publisher="Agency")
    for n in range(FEED_SIZE + 5):
        make_statement(
            session,
            party=party,
            demand=demand,
            source=source,
            stance=list(Stance)[n % 5],
            stated_on=dt.date(2024, 1, 1) + dt.timedelta(days=n),
        )
    queries.clear()
    feed = parsed(client, url)
    assert len(feed.entries) == FEED_SIZE
    # The data version, the negotiation, the party, the demand, the statements, their cells'
    # history: the same six for 3 entries or 50.
    assert few == 6
    assert queries.count == few


def test_a_proposal_feed_lists_its_versions(client, session) -> None:
    page = "/talks/russia-ukraine/proposals/russian-conditions-june-2024"
    links = parse(client.get(page)).select('link[rel="alternate"][type="application/atom+xml"]')
    feed_url = f"{page}/feed.atom"
    assert feed_url in [link["href"] for link in links]
    feed = parsed(client, feed_url)
    assert feed.entries
    assert all(e.id.startswith("tag:") and "proposal-version/" in e.id for e in feed.entries)
    assert "issued" in feed.entries[0].summary
    # The same version, the same entry id in the negotiation's proposals feed.
    every = parsed(client, "/talks/russia-ukraine/proposals.atom")
    assert {e.id for e in feed.entries} <= {e.id for e in every.entries}


def test_the_proposal_pages_link_their_feeds(client) -> None:
    plans = "/talks/russia-ukraine/proposals"
    pages = {
        plans: {f"{plans}.atom"},
        f"{plans}/compare?a=russian-conditions-june-2024&b=ukraine-peace-formula": {
            f"{plans}.atom",
            f"{plans}/russian-conditions-june-2024/feed.atom",
            f"{plans}/ukraine-peace-formula/feed.atom",
        },
    }
    for page, feeds in pages.items():
        links = parse(client.get(page)).select('link[rel="alternate"][type="application/atom+xml"]')
        hrefs = {
            link["href"].removeprefix(client.app.state.settings.public_base_url) for link in links
        }
        assert feeds <= hrefs, page
        for feed in feeds:
            parsed(client, feed)


@pytest.mark.parametrize(
    "url",
    [
        "/talks/follow-talks/parties/nobody/feed.atom",
        "/talks/follow-talks/demands/nothing/feed.atom",
        "/talks/follow-talks/parties/russland/demands/nothing/feed.atom",
        "/talks/follow-talks/proposals/none/feed.atom",
        "/talks/atlantis/parties/russland/feed.atom",
        "/talks/follow-talks/parties/" + "x" * 5000 + "/feed.atom",
    ],
)
def test_unknown_or_huge_names_are_404_or_422(client, cell, url) -> None:
    assert client.get(url).status_code in (404, 422)


def test_feeds_answer_304_to_their_etag(client, cell) -> None:
    url = "/talks/follow-talks/parties/russland/feed.atom"
    first = client.get(url)
    assert first.headers.get("etag")
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_proposal_feeds_cost_a_fixed_number_of_queries(client, queries) -> None:
    plans = "/talks/russia-ukraine/proposals"
    for url in (f"{plans}.atom", f"{plans}/russian-conditions-june-2024/feed.atom"):
        queries.clear()
        assert parsed(client, url).entries
        # The data version, the negotiation, (the proposal,) its versions with their sources.
        assert queries.count == (3 if url.endswith("proposals.atom") else 4), url
