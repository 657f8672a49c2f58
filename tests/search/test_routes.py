from __future__ import annotations

import pytest
from sqlalchemy import insert

from app.models import Action, Source, Statement
from app.revisions import update_with_revision
from app.search.queries import CANDIDATES, QUERY_MAX, search
from app.users.service import system_user
from tests.factories import make_party, make_source, make_statement
from tests.html import one, parse, words


def results(client, q: str):  # type: ignore[no-untyped-def]
    response = client.get("/search", params={"q": q})
    assert response.status_code == 200, response.text
    return parse(response).select("#results > li")


def test_without_a_query_the_page_is_the_search_box(client) -> None:
    response = client.get("/search")
    assert response.status_code == 200
    page = parse(response)
    assert one(page, "form[role=search] input[name=q]")
    assert not page.select("#results")


def test_finds_summaries_and_highlights_the_matching_words(client) -> None:
    found = results(client, "peacekeepers")
    assert len(found) == 1
    assert "Western troops to Ukraine as peacekeepers" in words(found[0])
    assert [words(m) for m in found[0].select(".result__summary mark")] == ["peacekeepers"]
    link = one(found[0], ".result__summary a")
    assert link["href"].startswith("/statements/")


def test_finds_speakers_and_words_in_other_forms(client) -> None:
    # Stemming: "rejecting" finds "rejected" (English configuration / porter tokenizer).
    speakers = results(client, "Zelenskyy")
    assert len(speakers) >= 4
    assert all("Zelenskyy" in words(li) for li in speakers)
    assert len(results(client, "rejecting")) >= 4


def test_finds_quotes(client) -> None:
    found = results(client, '"realities on the ground"')
    assert len(found) == 1
    assert "realities" in " ".join(words(m).lower() for m in found[0].select("mark"))


def test_finds_statements_through_their_source_title_and_publisher(client, session) -> None:
    source = make_source(
        session, title="Budapest memorandum revisited", publisher="Kyiv Independent"
    )
    statement = make_statement(session, source=source, summary="Nothing about it here.")
    session.commit()
    by_title = results(client, "memorandum")
    assert [li["data-statement"] for li in by_title] == [str(statement.id)]
    assert [words(m) for m in by_title[0].select(".history__source mark")] == ["memorandum"]
    assert [li["data-statement"] for li in results(client, "Kyiv Independent")] == [
        str(statement.id)
    ]
    assert len(results(client, "Associated Press")) == 18


def test_statements_written_after_the_migration_are_found_and_edits_followed(
    client, session
) -> None:
    statement = make_statement(session, summary="A quokka clause appears in the draft.")
    session.commit()
    assert [li["data-statement"] for li in results(client, "quokka")] == [str(statement.id)]

    # Edited through the write path, as an editor's form would.
    user = system_user(session)
    source = session.get(Source, statement.source_id)
    for edited, values in [
        (statement, {"summary": "A wombat clause replaces it."}),
        (source, {"title": "Marsupial diplomacy"}),
    ]:
        update_with_revision(
            session, edited, values, form_version=edited.version, action=Action.EDIT, user=user
        )
    session.commit()
    assert results(client, "quokka") == []
    assert [li["data-statement"] for li in results(client, "wombat")] == [str(statement.id)]
    assert [li["data-statement"] for li in results(client, "marsupial")] == [str(statement.id)]


def test_ranked_best_match_first(client, session) -> None:
    party = make_party(session)
    once = make_statement(session, party=party, summary="Grain exports are mentioned.")
    twice = make_statement(
        session, party=party, summary="Grain exports, grain corridors and grain prices."
    )
    session.commit()
    order = [li["data-statement"] for li in results(client, "grain")]
    assert order == [str(twice.id), str(once.id)]


def test_web_search_syntax_or_and_minus(client) -> None:
    either = {li["data-statement"] for li in results(client, "peacekeepers or sanctions")}
    peacekeepers = {li["data-statement"] for li in results(client, "peacekeepers")}
    sanctions = {li["data-statement"] for li in results(client, "sanctions")}
    assert either == peacekeepers | sanctions
    without = {li["data-statement"] for li in results(client, "sanctions -Biden")}
    assert without and without < sanctions


def test_markup_in_text_stays_text_in_highlights(client, session) -> None:
    make_statement(session, summary='<script>alert("x")</script> <b>ceasefire</b> now')
    session.commit()
    # PostgreSQL's parser skips tags (and a script's body) when indexing; SQLite reads it all.
    response = client.get("/search", params={"q": "ceasefire"})
    assert "<script>alert" not in response.text
    assert "<b>" not in response.text
    hit = parse(response).select("#results > li")[0]
    shown = " ".join(one(hit, ".result__summary").get_text().split())
    assert shown == '<script>alert("x")</script> <b>ceasefire</b> now'
    assert [words(m) for m in hit.select(".result__summary mark")] == ["ceasefire"]


def test_nothing_found_says_so(client) -> None:
    response = client.get("/search", params={"q": "xylophone"})
    assert response.status_code == 200
    assert "Nothing matches “xylophone”" in words(one(parse(response), "#search-content"))


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        ("", "Type one or more words"),
        ("   ", "Type one or more words"),
        ("x" * (QUERY_MAX + 1), f"keep it under {QUERY_MAX + 1}"),
    ],
)
def test_empty_or_over_long_query_gets_a_clear_message(client, q: str, reason: str) -> None:
    response = client.get("/search", params={"q": q})
    assert response.status_code == 400
    assert reason in words(one(parse(response), "#search-content [role=alert]"))


def test_search_syntax_characters_are_not_errors(client) -> None:
    for q in ['"unclosed', "NEAR(a b)", "a* OR", "-", "^col:x", "'; DROP TABLE statement; --"]:
        response = client.get("/search", params={"q": q})
        assert response.status_code in (200, 400), q
        assert "Internal Server Error" not in response.text


def test_bad_page_number_is_a_400(client) -> None:
    response = client.get("/search", params={"q": "Putin", "page": "x"})
    assert response.status_code == 400
    assert "page" in words(one(parse(response), "[role=alert]")).lower()
    assert not parse(response).select("#results > li")


def test_search_is_paginated(client, session) -> None:
    for n in range(23):
        make_statement(session, summary=f"Prisoner exchange number {n}.")
    session.commit()
    assert len(results(client, "prisoner")) == 20
    second = client.get("/search", params={"q": "prisoner", "page": "2"})
    assert len(parse(second).select("#results > li")) == 3


def test_search_query_count_is_fixed(client, session, queries) -> None:
    client.get("/search", params={"q": "Putin"})
    baseline = queries.count
    # Data version; the negotiations (the filter's choices); on PostgreSQL, the serial plan
    # (`SET LOCAL`); the ranked, highlighted page; its statements.
    assert baseline == 4 + (session.get_bind().dialect.name == "postgresql")
    for n in range(25):
        make_statement(session, summary=f"Putin spoke again ({n}).")
    session.commit()
    queries.clear()
    client.get("/search", params={"q": "Putin"})
    assert queries.count == baseline


def test_a_word_in_very_many_statements_ranks_only_the_newest_and_says_so(session) -> None:
    party = make_party(session)
    older = make_statement(session, party=party, summary="Demining, demining, demining at last.")
    newer = [
        make_statement(session, party=party, summary=f"Demining mentioned once ({n}).")
        for n in range(4)
    ]
    session.commit()

    everything = search(session, "demining")
    assert not everything.narrowed
    assert everything.hits[0].statement.id == older.id  # best first when all are ranked

    # With room for 3 candidates, the oldest (best) match is not among them: a common word at a
    # million statements costs the newest matches' ranking, not every match's.
    narrowed = search(session, "demining", candidates=3)
    assert narrowed.narrowed
    assert {hit.statement.id for hit in narrowed.hits} == {s.id for s in newer[-3:]}


def test_the_page_says_when_only_the_newest_matches_were_ranked(client, session) -> None:
    first = make_statement(session, summary="Corridor talks.")
    session.commit()
    page = parse(client.get("/search", params={"q": "corridor"}))
    assert page.select(".search-narrowed") == []

    columns = {
        c: getattr(first, c)
        for c in ("party_id", "demand_id", "negotiation_id", "source_id", "stance")
    }
    copy = {**columns, "stated_on": first.stated_on, "stated_on_precision": "day"}
    copy |= {"created_by_id": first.created_by_id, "version": 1}
    copy |= {"created_at": first.created_at, "updated_at": first.updated_at}
    copy |= {"published_at": first.published_at}
    session.execute(
        insert(Statement), [{**copy, "summary": f"Corridor {n}."} for n in range(CANDIDATES)]
    )
    session.commit()
    # Rows inserted in bulk write no revision, so the data version (and the cached page for
    # "corridor") stay as they were: ask in other words.
    page = parse(client.get("/search", params={"q": "corridors"}))
    assert f"only the {CANDIDATES:,} newest were ranked" in words(one(page, ".search-narrowed"))


def test_finds_statements_by_their_source_address(client, session) -> None:
    # Readers remember where they read it: the site's name as one word, or the pasted address.
    wrap = make_source(
        session,
        url="https://www.dailywrap.net/2025/06/istanbul-memoranda-compared",
        title="Two memoranda, side by side",
        publisher="Daily Wrap",
    )
    wire = make_source(
        session,
        url="https://www.hkbusinesswire.com/news/20250603/kyiv-proposal",
        title="Kyiv tables its proposal",
        publisher="HK Business Wire",
    )
    in_wrap = make_statement(session, source=wrap, summary="Nothing about the address.")
    in_wire = make_statement(session, source=wire, summary="Nothing about it either.")
    session.commit()

    def found(q: str) -> list[str]:
        return [li["data-statement"] for li in results(client, q)]

    assert found("dailywrap") == [str(in_wrap.id)]
    assert found("hkbusinesswire") == [str(in_wire.id)]
    assert found("www.dailywrap.net") == [str(in_wrap.id)]
    assert found(wrap.url) == [str(in_wrap.id)]
    assert found(wire.url) == [str(in_wire.id)]
    # The path's words count too, and an address shown as it was typed is not read as syntax.
    assert found("istanbul-memoranda-compared") == [str(in_wrap.id)]
    assert found(f'"{wire.url}" -dailywrap') == [str(in_wire.id)]
