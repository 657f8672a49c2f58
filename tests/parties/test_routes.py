from __future__ import annotations

import datetime as dt

from app.positions import HISTORY_PER_LINE
from app.stances import Stance
from tests.factories import make_demand, make_participation, make_party, make_source, make_statement
from tests.html import one, parse, words


def position(page, demand: str):  # type: ignore[no-untyped-def]
    return one(parse(page), f'#positions tr[data-demand="{demand}"]')


def test_parties_index_links_every_party(client) -> None:
    page = parse(client.get("/parties"))
    links = [a["href"] for a in page.select("#parties .card__title a")]
    assert sorted(links) == [
        "/parties/european-allies",
        "/parties/russia",
        "/parties/ukraine",
        "/parties/united-states",
    ]


def test_party_page_shows_the_position_before_and_after_the_shift(client) -> None:
    before = position(
        client.get("/talks/russia-ukraine/parties/ukraine?as_of=2024-12-31"), "russian-withdrawal"
    )
    assert before["data-stance"] == "insists"
    assert "2022" in words(before)

    page = client.get("/talks/russia-ukraine/parties/ukraine?as_of=2025-01-31")
    after = position(page, "russian-withdrawal")
    assert after["data-stance"] == "open"
    assert "January 2025" in words(after) and "1 January" not in words(after)
    # Issue 21: each statement is shown once, in the history below, not again in the table.
    assert "softened" not in words(after)
    latest = one(
        parse(page), '.history[data-demand="russian-withdrawal"] .history__entry:last-child'
    )
    assert "softened" in words(latest)


def test_party_page_lists_every_demand_with_no_stated_position_where_silent(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/parties/ukraine?as_of=2024-12-31"))
    rows = page.select("#positions tbody tr")
    assert len(rows) == 9
    guarantees = one(page, '#positions tr[data-demand="security-guarantees"]')
    assert guarantees["data-stance"] == "none"
    assert "no stated position" in words(guarantees)


def test_history_marks_the_shift_and_says_what_it_was(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/parties/ukraine?as_of=2025-01-31"))
    history = one(page, '.history[data-demand="russian-withdrawal"]')
    entries = history.select(".history__entry")
    assert [e["data-shift"] for e in entries] == ["no", "yes"]
    assert "Shift: was insists" in words(entries[1])
    assert "1 shift" in words(one(history, "h3"))
    # Each entry names its source, linked to the source's page.
    assert entries[0].select_one(".source-line a")["href"].startswith("/sources/")


def test_history_stops_at_the_date_asked_for(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/parties/ukraine?as_of=2024-12-31"))
    entries = page.select('.history[data-demand="russian-withdrawal"] .history__entry')
    assert len(entries) == 1


def test_each_statement_is_shown_once_newest_first_with_its_source(client, session) -> None:
    # One presentation: the histories by demand (in date order, shifts marked), not a second
    # list of the same statements below them.
    party = make_party(session, slug="ordered")
    demand = make_demand(session)
    for day in (3, 1, 2):
        make_statement(session, party=party, demand=demand, stated_on=dt.date(2025, 1, day))
    session.commit()
    page = parse(client.get("/talks/russia-ukraine/parties/ordered?as_of=2025-02-01"))
    shown = [li["data-statement"] for li in page.select("li[data-statement]")]
    assert len(shown) == 3 and len(set(shown)) == 3
    dates = [t["datetime"] for t in page.select(".history__entry .history__date time")]
    assert dates == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert all(li.select_one(".source-line a") for li in page.select(".history__entry"))
    timeline = one(page, 'a[href^="/talks/russia-ukraine/timeline?party=ordered"]')
    assert "to=2025-02-01" in timeline["href"]


def test_party_page_has_link_preview_tags_describing_its_positions(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/parties/russia?as_of=2025-01-31"))
    title = one(page, 'meta[property="og:title"]')["content"]
    assert title.startswith("Russia in Russia–Ukraine talks: where it stands as of 31 January 2025")
    description = one(page, 'meta[property="og:description"]')["content"]
    assert "insists on “Ukraine renounces its NATO membership bid”" in description
    # With its share image (issue 20): the large card, the image as of the page's day.
    assert one(page, 'meta[name="twitter:card"]')["content"] == "summary_large_image"
    assert one(page, 'meta[property="og:image"]')["content"].endswith(
        "/talks/russia-ukraine/parties/russia/share.png?as_of=2025-01-31"
    )
    assert one(page, 'meta[name="twitter:description"]')["content"] == description
    assert one(page, 'meta[name="description"]')["content"] == description


def test_party_page_links_its_feed(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/parties/russia"))
    feeds = page.select('link[rel="alternate"][type="application/atom+xml"]')
    # Its own feed first (changes of position, in words), then its filtered timeline's.
    assert [f["href"] for f in feeds] == [
        "/talks/russia-ukraine/parties/russia/feed.atom",
        "/talks/russia-ukraine/timeline.atom?party=russia",
    ]


def test_unknown_party_is_a_404_that_offers_every_party(client) -> None:
    response = client.get("/parties/atlantis")
    assert response.status_code == 404
    page = parse(response)
    assert "atlantis" in words(one(page, "[role=alert]"))
    offered = {a["href"] for a in page.select(".choices a")}
    assert "/parties/russia" in offered and "/parties/ukraine" in offered
    assert len(offered) == 4


def test_bad_date_is_a_400_with_the_reason_and_the_form(client) -> None:
    response = client.get("/talks/russia-ukraine/parties/russia?as_of=2025-02-30")
    assert response.status_code == 400
    page = parse(response)
    assert "not a real calendar date" in words(one(page, "#party-content [role=alert]"))
    assert one(page, "input[name=as_of]")["value"] == "2025-02-30"


def test_htmx_date_change_gets_only_the_content(client) -> None:
    response = client.get(
        "/talks/russia-ukraine/parties/ukraine?as_of=2024-12-31", headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]
    assert position(response, "russian-withdrawal")["data-stance"] == "insists"


def test_markup_in_a_summary_is_shown_as_text(client, session) -> None:
    party = make_party(session, slug="markup")
    make_statement(session, party=party, summary="<img src=x onerror=alert(1)>")
    session.commit()
    response = client.get("/talks/russia-ukraine/parties/markup?as_of=2025-06-01")
    assert "<img src=x" not in response.text
    assert "<img src=x onerror=alert(1)>" in words(one(parse(response), ".history__summary"))


def test_party_page_query_count_is_fixed_whatever_the_data(client, session, queries) -> None:
    party = make_party(session, slug="busy")
    make_participation(session, party=party)
    session.commit()
    queries.clear()
    client.get("/talks/russia-ukraine/parties/busy")
    baseline = queries.count
    # The data version, the negotiation, the party, its participation, the demands of the
    # talks, their histories (each with whether it carries conditions, issue 18; the position
    # is a history's latest entry).
    assert baseline == 6

    source = make_source(session)
    for demand in [make_demand(session) for _ in range(3)]:
        for day in range(1, 15):
            make_statement(
                session,
                party=party,
                demand=demand,
                source=source,
                stance=Stance.REJECTS if day % 2 else Stance.ACCEPTS,
                stated_on=dt.date(2025, 2, day),
            )
    session.commit()
    queries.clear()
    page = parse(client.get("/talks/russia-ukraine/parties/busy"))
    assert queries.count == baseline
    # Each history shows its latest statements, every one of them a shift here, the oldest
    # shown included (its predecessor is read but not shown), and links to the rest.
    assert len(page.select(".history__entry")) == 3 * HISTORY_PER_LINE
    assert len(page.select(".history__entry--shift")) == 3 * HISTORY_PER_LINE
    assert (
        len(page.select('.history a[href^="/talks/russia-ukraine/timeline?party=busy&demand="]'))
        == 3
    )


def test_matrix_headers_lead_to_party_and_demand_pages_at_the_same_date(client) -> None:
    page = parse(client.get("/?as_of=2024-12-31"))
    party = one(page, '#matrix thead th[data-party="ukraine"] a')["href"]
    assert party == "/talks/russia-ukraine/parties/ukraine?as_of=2024-12-31"
    demand = one(page, '#matrix tr[data-demand="russian-withdrawal"] th a')["href"]
    assert demand == "/talks/russia-ukraine/demands/russian-withdrawal?as_of=2024-12-31"
    assert position(client.get(party), "russian-withdrawal")["data-stance"] == "insists"


def test_the_party_page_opens_with_a_card_of_what_it_wants(client) -> None:
    """Issue 21: a sentence and a tally by stance before any table."""
    page = parse(client.get("/talks/russia-ukraine/parties/russia?as_of=2025-01-31"))
    card = one(page, "#party-card")
    assert words(one(card, ".party-card__headline")) == (
        "Russia insists on 5 terms and rejects 1; no stated position on 3; no shifts."
    )
    tally = [words(li) for li in card.select(".party-card__tally li")]
    assert tally == ["▲▲ insists 5", "▼ rejects 1", "no stated position 3"]
    # The card comes before the positions table.
    assert str(page).index('id="party-card"') < str(page).index('id="positions"')

    ukraine = parse(client.get("/talks/russia-ukraine/parties/ukraine?as_of=2025-01-31"))
    assert "1 shift in 2025" in words(one(ukraine, ".party-card__headline"))
    # Across its negotiations, the party page opens each negotiation's part with its card.
    across = parse(client.get("/parties/russia?as_of=2025-01-31"))
    assert "Russia insists on 5 terms" in words(one(across, "#russia-ukraine-party-card"))


def test_each_statement_of_the_demo_party_is_shown_once(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/parties/ukraine?as_of=2025-01-31"))
    summaries = [words(p) for p in page.select("#party-content .history__summary")]
    assert len(summaries) == len(set(summaries))
    table = words(one(page, "#positions"))
    assert not any(summary.split(": ")[-1] in table for summary in summaries)
