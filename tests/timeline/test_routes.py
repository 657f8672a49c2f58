from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from app.models.base import utcnow
from app.stances import Stance
from tests.factories import make_demand, make_party, make_source, make_statement
from tests.html import one, parse, words

ATOM = "{http://www.w3.org/2005/Atom}"


def statement_ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [li["data-statement"] for li in parse(response).select("#timeline > li")]


def test_timeline_lists_statements_newest_first_with_sources(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/timeline"))
    items = page.select("#timeline > li")
    assert len(items) == 18
    dates = [li.select_one("time")["datetime"] for li in items]
    assert dates[0] == "2025-01" and dates[-1] == "2022"
    assert all(li.select_one(".source-line a[href^='/sources/']") for li in items)


def test_timeline_filters_by_party_demand_and_dates(client) -> None:
    ukraine = parse(client.get("/talks/russia-ukraine/timeline?party=ukraine"))
    assert {li["data-party"] for li in ukraine.select("#timeline > li")} == {"ukraine"}
    withdrawal = parse(client.get("/talks/russia-ukraine/timeline?demand=russian-withdrawal"))
    assert len(withdrawal.select("#timeline > li")) == 2
    early = parse(client.get("/talks/russia-ukraine/timeline?from=2022-01-01&to=2024-12-31"))
    assert [li.select_one("time")["datetime"] for li in early.select("#timeline > li")] == [
        "2024-06",
        "2024-06",
        "2022",
    ]
    both = parse(client.get("/talks/russia-ukraine/timeline?party=russia&demand=nato-renunciation"))
    assert len(both.select("#timeline > li")) == 1


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("party=atlantis", "There is no party 'atlantis'"),
        ("demand=peace", "There is no demand 'peace'"),
        ("from=2025-02-30", "not a real calendar date"),
        ("from=2025-02-01&to=2025-01-01", "from must be on or before to"),
        ("before=yesterday", "before must be a position"),
        ("before=2025-02-30_4", "before must be a position"),
        ("before=2025-01-01_0", "before must be a position"),
    ],
)
def test_bad_filters_and_cursors_are_400_with_the_reason(client, query: str, reason: str) -> None:
    response = client.get(f"/talks/russia-ukraine/timeline?{query}")
    assert response.status_code == 400
    assert reason in words(one(parse(response), "#timeline-content [role=alert]"))


def test_keyset_pages_never_repeat_or_skip_even_when_statements_arrive(client, session) -> None:
    party = make_party(session, slug="prolific")
    demand = make_demand(session)
    source = make_source(session)
    for n in range(30):
        # Two statements per day: the id breaks the tie.
        make_statement(
            session, party=party, demand=demand, source=source,
            stated_on=dt.date(2025, 1, 1 + n // 2),
        )  # fmt: skip
    session.commit()
    first = client.get("/talks/russia-ukraine/timeline?party=prolific")
    first_ids = statement_ids(first)
    assert len(first_ids) == 25
    following = one(parse(first), "a[rel=next]")["href"]
    assert following.startswith("/talks/russia-ukraine/timeline?party=prolific&before=")

    # A newer statement arrives between the two requests: page two does not shift.
    make_statement(
        session, party=party, demand=demand, source=source, stated_on=dt.date(2025, 3, 1)
    )
    session.commit()
    second_ids = statement_ids(client.get(following))
    assert len(second_ids) == 5
    assert set(first_ids).isdisjoint(second_ids)
    assert not parse(client.get(following)).select("a[rel=next]")


def test_retracted_statements_leave_the_timeline(client, session) -> None:
    statement = make_statement(session, party=make_party(session, slug="sorry"))
    statement.retracted_at = utcnow()
    statement.retraction_reason = "Wrong party."
    session.commit()
    assert statement_ids(client.get("/talks/russia-ukraine/timeline?party=sorry")) == []


def test_html_pages_link_the_feed_of_the_same_view(client) -> None:
    page = parse(client.get("/talks/russia-ukraine/timeline?party=ukraine&from=2024-01-01"))
    alternate = one(page, 'link[rel="alternate"][type="application/atom+xml"]')
    assert alternate["href"] == "/talks/russia-ukraine/timeline.atom?party=ukraine&from=2024-01-01"
    assert one(page, "#feed-link")["href"] == alternate["href"]
    # The negotiation's pages offer its feed; the others the old one, across negotiations.
    matrix = parse(client.get("/talks/russia-ukraine"))
    feed_url = "/talks/russia-ukraine/timeline.atom"
    assert one(matrix, 'link[rel="alternate"][type="application/atom+xml"]')["href"] == feed_url
    assert one(matrix, f'footer a[href="{feed_url}"]')
    assert one(matrix, 'footer a[href="/docs"]')
    about = parse(client.get("/about"))
    assert one(about, 'link[rel="alternate"][type="application/atom+xml"]')["href"] == (
        "/timeline.atom"
    )


def feed(client, query: str = "") -> ET.Element:  # type: ignore[no-untyped-def]
    response = client.get(f"/talks/russia-ukraine/timeline.atom{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_atom_feed_is_valid_atom_with_an_entry_per_statement_newest_first(client) -> None:
    root = feed(client)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    assert (
        root.find(f"{ATOM}link[@rel='self']")
        .get("href")
        .endswith("/talks/russia-ukraine/timeline.atom")
    )
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 18
    for entry in entries:
        for required in ("id", "title", "updated", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        link = entry.find(f"{ATOM}link").get("href")  # rel defaults to alternate
        assert "/statements/" in link
        assert entry.find(f"{ATOM}id").text.startswith("tag:")
    first_title = entries[0].find(f"{ATOM}title").text
    assert "(January 2025" in first_title
    assert "(2022)" in entries[-1].find(f"{ATOM}title").text


def test_atom_entry_ids_never_change(client, session) -> None:
    statement = make_statement(session, party=make_party(session, slug="steady"))
    session.commit()
    entry_id = feed(client, "?party=steady").find(f"{ATOM}entry/{ATOM}id").text
    assert entry_id.endswith(f":statement/{statement.id}")
    statement.summary = "Edited wording."
    session.commit()
    again = feed(client, "?party=steady").find(f"{ATOM}entry")
    assert again.find(f"{ATOM}id").text == entry_id
    # Another host serves the same entry under the same id.
    other = client.get(
        "/talks/russia-ukraine/timeline.atom?party=steady", headers={"Host": "mirror.example"}
    )
    assert ET.fromstring(other.content).find(f"{ATOM}entry/{ATOM}id").text == entry_id


def test_atom_feed_takes_the_timeline_filters(client) -> None:
    entries = feed(client, "?party=ukraine&demand=russian-withdrawal").findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert all("Ukraine" in e.find(f"{ATOM}title").text for e in entries)
    assert client.get("/talks/russia-ukraine/timeline.atom?party=atlantis").status_code == 400


def test_atom_feed_carries_markup_as_text(client, session) -> None:
    make_statement(
        session,
        party=make_party(session, slug="scripted"),
        summary='<script>alert("x")</script> & more',
    )
    session.commit()
    root = feed(client, "?party=scripted")
    content = root.find(f"{ATOM}entry/{ATOM}content")
    assert content.get("type") == "text"
    # After the change in words, the summary as the editor wrote it: as text.
    assert '\n\n<script>alert("x")</script> & more\n\n' in content.text
    assert root.find(f".//{ATOM}script") is None and root.find(".//script") is None


def test_timeline_and_feed_query_counts_are_fixed(client, session, queries) -> None:
    client.get("/talks/russia-ukraine/timeline?party=ukraine")
    baseline = queries.count
    # The data version, the negotiation, its parties and demands for the filters, one page.
    assert baseline == 5
    queries.clear()
    client.get("/talks/russia-ukraine/timeline.atom")
    feed_baseline = queries.count
    # The same, and the history of the page's cells (each entry says its change in words).
    assert feed_baseline == 6

    for day in range(1, 28):
        make_statement(session, stated_on=dt.date(2025, 2, day))
    session.commit()
    queries.clear()
    client.get("/talks/russia-ukraine/timeline?party=ukraine")
    assert queries.count == baseline
    queries.clear()
    client.get("/talks/russia-ukraine/timeline.atom")
    assert queries.count == feed_baseline


def test_timeline_marks_shifts_against_the_partys_previous_position(client, session) -> None:
    party = make_party(session, slug="shifty")
    talks, other = make_demand(session), make_demand(session)
    source = make_source(session)

    def said(demand, stance, day):  # type: ignore[no-untyped-def]
        return make_statement(
            session, party=party, demand=demand, source=source, stance=stance,
            stated_on=dt.date(2025, 1, day),
        )  # fmt: skip

    first = said(talks, Stance.INSISTS, 1)
    same = said(talks, Stance.INSISTS, 2)
    withdrawn = said(talks, Stance.REJECTS, 3)
    withdrawn.retracted_at = utcnow()
    withdrawn.retraction_reason = "Misreported."
    turn = said(talks, Stance.ACCEPTS, 4)
    elsewhere = said(other, Stance.REJECTS, 5)  # another demand: its first word, no shift
    session.commit()
    page = parse(client.get("/talks/russia-ukraine/timeline?party=shifty"))
    marks = {li["data-statement"]: li["data-shift"] for li in page.select("#timeline > li")}
    assert marks == {
        str(first.id): "no",
        str(same.id): "no",
        str(turn.id): "yes",  # against insists: the retracted rejects held no position
        str(elsewhere.id): "no",
    }
    shift = one(page, f'#timeline > li[data-statement="{turn.id}"]')
    assert "Shift: was insists" in words(one(shift, ".shift-mark"))
    # The previous position may be on a later page: one per page still finds it.
    assert "Shift: was insists" in words(
        one(
            parse(
                client.get(
                    "/talks/russia-ukraine/timeline?party=shifty&to=2025-01-04"
                    f"&before=2025-01-04_{turn.id + 1}"
                )
            ),
            ".shift-mark",
        )
    )


def test_newest_entered_brings_a_late_entry_about_an_old_date_to_the_top(client, session) -> None:
    late = make_statement(
        session, party=make_party(session, slug="late"), stated_on=dt.date(2024, 3, 1)
    )
    session.commit()
    assert statement_ids(client.get("/talks/russia-ukraine/timeline"))[0] != str(late.id)
    page = parse(client.get("/talks/russia-ukraine/timeline?order=entered"))
    assert page.select("#timeline > li")[0]["data-statement"] == str(late.id)
    assert one(page, "#order option[selected]")["value"] == "entered"
    # Issue 19 item 6: the order is by publication, and the entry says when it was published.
    assert "published" in words(one(page, f'#timeline > li[data-statement="{late.id}"]'))
    # The feed of this view is in the same order.
    assert one(page, "#feed-link")["href"] == "/talks/russia-ukraine/timeline.atom?order=entered"
    entries = feed(client, "?order=entered").findall(f"{ATOM}entry")
    assert entries[0].find(f"{ATOM}id").text.endswith(f"statement/{late.id}")


def test_keyset_pages_in_entered_order_never_repeat_or_skip(client, session) -> None:
    party = make_party(session, slug="backfill")
    demand = make_demand(session)
    source = make_source(session)
    # Entered in an order unrelated to the dates stated.
    for n in range(30):
        make_statement(
            session, party=party, demand=demand, source=source,
            stated_on=dt.date(2025, 1, 1 + (n * 7) % 28),
        )  # fmt: skip
    session.commit()
    first = client.get("/talks/russia-ukraine/timeline?party=backfill&order=entered")
    first_ids = statement_ids(first)
    assert len(first_ids) == 25
    assert first_ids == sorted(first_ids, key=int, reverse=True)
    following = one(parse(first), "a[rel=next]")["href"]
    assert following.startswith(
        "/talks/russia-ukraine/timeline?party=backfill&order=entered&before="
    )
    make_statement(session, party=party, demand=demand, source=source)
    session.commit()
    second_ids = statement_ids(client.get(following))
    assert len(second_ids) == 5
    assert set(first_ids).isdisjoint(second_ids)
    assert int(second_ids[0]) < int(first_ids[-1])


def test_an_unknown_order_is_a_400_naming_the_choices(client) -> None:
    response = client.get("/talks/russia-ukraine/timeline?order=random")
    assert response.status_code == 400
    assert "order must be" in words(one(parse(response), "#timeline-content [role=alert]"))
    assert client.get("/talks/russia-ukraine/timeline.atom?order=random").status_code == 400
