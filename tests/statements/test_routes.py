from __future__ import annotations

import datetime as dt

import pytest

from app.models import Action
from app.models.base import utcnow
from app.revisions import update_with_revision
from app.users.service import system_user
from tests.factories import (
    make_demand,
    make_participation,
    make_party,
    make_source,
    make_statement,
)
from tests.html import one, parse, words


def test_every_matrix_cell_leads_to_a_statement_page_with_its_source(client) -> None:
    matrix = parse(client.get("/"))
    links = [a["href"] for a in matrix.select("#matrix td a[href^='/statements/']")]
    stated = matrix.select("#matrix td:not([data-stance=none])")
    assert len(links) == len(stated) == 17  # 18 demo statements; one was superseded
    for href in links:
        page = parse(client.get(href))
        source = one(page, ".source a")
        assert source["href"].startswith("https://")
        assert "Associated Press" in words(one(page, ".source"))


def test_statement_page_shows_quote_speaker_date_at_precision_and_who_entered_it(
    client, session
) -> None:
    source = make_source(session, title="Kremlin transcript", publisher="Kremlin")
    statement = make_statement(
        session,
        source=source,
        speaker="A Spokesperson",
        quote="We will never accept it.",
        stated_on=dt.date(2024, 6, 1),
        stated_on_precision="month",
    )
    session.commit()
    page = parse(client.get(f"/statements/{statement.id}"))
    facts = words(one(page, ".facts"))
    assert "A Spokesperson" in facts
    assert "“We will never accept it.”" in facts
    assert "June 2024" in facts and "1 June" not in facts
    assert "Kremlin transcript" in facts
    # "Entered by" moved to the credit list (issue 19 item 5), beside who published it.
    assert "Parley (system)" in words(one(page, ".credit__list"))


def test_retracted_statement_stays_readable_with_its_reason(client, session) -> None:
    statement = make_statement(session)
    statement.retracted_at = utcnow()
    statement.retraction_reason = "The source corrected its report."
    session.commit()
    response = client.get(f"/statements/{statement.id}")
    assert response.status_code == 200
    assert "The source corrected its report." in words(one(parse(response), "[role=note]"))


def test_quote_with_markup_is_shown_as_text(client, session) -> None:
    statement = make_statement(session, quote="<img src=x onerror=alert(1)>")
    session.commit()
    response = client.get(f"/statements/{statement.id}")
    assert "<img src=x" not in response.text
    assert "<img src=x onerror=alert(1)>" in words(one(parse(response), ".quote"))


@pytest.mark.parametrize("statement_id", ["999999", "0", "-1", "99999999999999999999", "abc"])
def test_unknown_or_impossible_statement_ids_are_404_pages(client, statement_id: str) -> None:
    response = client.get(f"/statements/{statement_id}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in words(one(parse(response), "h1"))


def test_statement_page_query_count(client, queries) -> None:
    client.get("/statements/1")
    # The data version, the statement with its context, its previous and next (one query), its
    # revisions with their authors, the names of what the revisions mention; its conditions and
    # the options of its either-or offer (issue 18); its credit (issue 19 item 5): the last
    # publish revision with its reviewer, and its corrections with their authors.
    assert queries.count == 9


def test_public_history_names_parties_demands_and_sources_in_one_query(
    client, session, queries
) -> None:
    statement = make_statement(
        session,
        party=make_party(session, name="Atlantis"),
        demand=make_demand(session, title="Open the straits"),
        source=make_source(session, title="Harbour gazette"),
    )
    user = system_user(session)
    # Moved to another party, demand and source, twice: more names, the same queries.
    for n in (1, 2):
        lemuria = make_party(session, name=f"Lemuria {n}")
        make_participation(session, party=lemuria)
        update_with_revision(
            session,
            statement,
            {
                "party_id": lemuria.id,
                "demand_id": make_demand(session, title=f"Close the straits {n}").id,
                "source_id": make_source(session, title=f"Harbour gazette, edition {n}").id,
            },
            form_version=statement.version,
            action=Action.EDIT,
            user=user,
        )
    session.commit()
    queries.clear()
    page = parse(client.get(f"/statements/{statement.id}"))
    assert queries.count == 9  # as above: however many revisions name other records
    history = one(page, "#history")
    edit = one(history, '.revision[data-version="3"]')
    assert words(one(edit, '[data-field="party_id"] .diff__before')) == "Lemuria 1"
    assert words(one(edit, '[data-field="party_id"] .diff__after')) == "Lemuria 2"
    assert words(one(edit, '[data-field="demand_id"] .diff__after')) == "Close the straits 2"
    assert words(one(edit, '[data-field="source_id"] .diff__after')) == "Harbour gazette, edition 2"
    created = words(one(history, '.revision[data-version="1"]'))
    assert "Atlantis" in created and "Open the straits" in created
    # Database ids mean nothing to a reader.
    assert "(#" not in words(history)


def ukraine_on_withdrawal(client) -> list[str]:  # type: ignore[no-untyped-def]
    page = parse(client.get("/parties/ukraine?as_of=2025-01-31"))
    history = page.select('.history[data-demand="russian-withdrawal"] .history__entry')
    return [entry["data-statement"] for entry in history]


def test_statement_links_to_its_party_demand_and_source_pages(client) -> None:
    first, _ = ukraine_on_withdrawal(client)
    page = parse(client.get(f"/statements/{first}"))
    heading = one(page, "h1")
    assert [a["href"] for a in heading.select("a")] == [
        "/talks/russia-ukraine/parties/ukraine",
        "/talks/russia-ukraine/demands/russian-withdrawal",
    ]
    assert one(page, ".source__more")["href"].startswith("/sources/")


def test_statement_page_names_the_previous_and_next_and_whether_they_shift(client) -> None:
    first, second = ukraine_on_withdrawal(client)
    page = parse(client.get(f"/statements/{second}"))
    previous = one(page, "#previous-statement")
    assert one(previous, "a")["href"] == f"/statements/{first}"
    assert "shift: from insists to open / conditional" in words(previous)
    assert "latest statement" in words(one(page, "#next-statement"))

    page = parse(client.get(f"/statements/{first}"))
    assert "first statement" in words(one(page, "#previous-statement"))
    following = one(page, "#next-statement")
    assert one(following, "a")["href"] == f"/statements/{second}"
    assert "a shift, to open / conditional" in words(following)


def test_a_retracted_neighbour_is_skipped(client, session) -> None:
    source = make_source(session)
    one_, two, three = (
        make_statement(session, source=source, stated_on=dt.date(2025, 1, day)) for day in (1, 2, 3)
    )
    two.party_id = one_.party_id
    two.demand_id = one_.demand_id
    three.party_id = one_.party_id
    three.demand_id = one_.demand_id
    two.retracted_at = utcnow()
    two.retraction_reason = "Misattributed."
    session.commit()
    page = parse(client.get(f"/statements/{three.id}"))
    assert one(page, "#previous-statement a")["href"] == f"/statements/{one_.id}"
    assert "not a shift" in words(one(page, "#previous-statement"))


def test_unknown_statement_404_offers_the_timeline(client) -> None:
    page = parse(client.get("/statements/999999"))
    assert page.select_one("main a[href='/timeline']") is not None
