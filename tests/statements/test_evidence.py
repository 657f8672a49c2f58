"""Issue 18 items 3-4: how the source knows, and quotes in the original language, through the
real form (real CSRF), the statement page, the matrix cell, the API, the CSV and search."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from app.evidence import language_tag
from app.models import Negotiation, Statement
from app.search.queries import search
from tests.editors import counts, form_fields
from tests.factories import make_demand, make_party, make_statement
from tests.html import one, parse, words
from tests.statements.test_editing import add, statement_id_from

UKRAINIAN = {
    "quote": "Kyiv will not give up its land.",
    "quote_language": "uk",
    "original_quote": "Київ не віддасть своєї землі.",
    "translated_by": "the source",
}


def test_the_disclosure_is_closed_on_a_blank_form_and_opens_when_a_field_is_set(
    editor_client,
) -> None:
    page = parse(editor_client.get("/statements/new"))
    assert one(page, "details#evidence-fields").get("open") is None
    response = add(editor_client, evidence="other_outlet")  # no outlet named: refused
    assert response.status_code == 422
    page = parse(response)
    assert one(page, "details#evidence-fields").get("open") is not None
    assert "Name the outlet" in words(one(page, "#evidence_outlet-error"))


def test_an_editor_records_a_second_hand_statement_and_it_is_reported_everywhere(
    editor_client, session: Session
) -> None:
    response = add(editor_client, evidence="other_outlet", evidence_outlet="Interfax")
    statement_id = statement_id_from(response)
    statement = session.get(Statement, statement_id)
    assert (statement.evidence, statement.evidence_outlet) == ("other_outlet", "Interfax")
    page = parse(editor_client.get(f"/statements/{statement_id}"))
    facts = words(one(page, ".facts"))
    assert "reported by another outlet: Interfax" in facts and "reported" in facts
    api = editor_client.get(f"/api/statements/{statement_id}").json()
    assert api["reported"] is True and api["evidence_outlet"] == "Interfax"
    # The edit form shows it with the disclosure open.
    edit = editor_client.get(f"/statements/{statement_id}/edit")
    assert one(parse(edit), "details#evidence-fields").get("open") is not None
    assert form_fields(edit)["evidence_outlet"] == "Interfax"


def test_an_original_language_quote_is_marked_with_its_language(
    editor_client, session: Session
) -> None:
    statement_id = statement_id_from(add(editor_client, **{**UKRAINIAN, "quote_language": "UK"}))
    statement = session.get(Statement, statement_id)
    assert statement.quote_language == "uk"
    page = parse(editor_client.get(f"/statements/{statement_id}"))
    original = one(page, 'blockquote[lang="uk"]')
    assert "Київ не віддасть" in words(original)
    assert "Kyiv will not give up" in words(one(page, 'blockquote[lang="en"]'))
    assert "translated by the source" in words(one(page, ".quote-pair"))
    api = editor_client.get(f"/api/statements/{statement_id}").json()
    assert api["original_quote"] == {
        "language": "uk",
        "text": "Київ не віддасть своєї землі.",
        "translated_by": "the source",
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({**UKRAINIAN, "quote_language": "not a tag!"}, "quote_language", "not a language tag"),
        ({**UKRAINIAN, "quote_language": "x" * 5000}, "quote_language", ""),
        ({**UKRAINIAN, "quote_language": "ук"}, "quote_language", "not a language tag"),
        ({**UKRAINIAN, "quote_language": ""}, "quote_language", "Give the language"),
        ({**UKRAINIAN, "translated_by": ""}, "translated_by", "who translated"),
        ({**UKRAINIAN, "quote": ""}, "quote", "English translation"),
        ({"evidence_outlet": "Interfax"}, "evidence_outlet", "only when"),
        ({"evidence": "hearsay"}, "evidence", "from the list"),
        ({"translated_by": "me"}, "translated_by", "only for a quote"),
    ],
)
def test_bad_evidence_is_refused_beside_its_field_and_nothing_is_stored(
    editor_client, session: Session, changes: dict[str, str], field: str, message: str
) -> None:
    before = counts(session)
    response = add(editor_client, **changes)
    assert response.status_code == 422
    page = parse(response)
    assert message in words(one(page, f"#{field}-error"))
    assert one(page, "details#evidence-fields").get("open") is not None
    assert counts(session) == before


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("uk", "uk"),
        ("RU", "ru"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("en_GB", "en-GB"),
        ("es-419", "es-419"),
        ("sr-Latn", "sr-Latn"),
    ],
)
def test_language_tags_are_checked_and_made_canonical(raw: str, tag: str) -> None:
    assert language_tag(raw) == tag


@pytest.mark.parametrize(
    "raw", ["", "u", "english!", "uk-", "-uk", "uk--UA", "ru-RU-RU-RU-RU-x", "ук"]
)
def test_malformed_language_tags_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        language_tag(raw)


def test_the_matrix_cell_and_api_say_reported(editor_client, session: Session) -> None:
    demand = make_demand(session)
    anonymous, named = make_party(session), make_party(session)
    make_statement(session, party=anonymous, demand=demand, evidence="anonymous_official")
    make_statement(session, party=named, demand=demand, evidence="on_record")
    slug = session.get(Negotiation, demand.negotiation_id).slug
    session.commit()
    page = parse(editor_client.get(f"/talks/{slug}"))

    def cell(party):  # type: ignore[no-untyped-def]
        return words(
            one(page, f'td[data-party="{party.slug}"][data-demand="{demand.slug}"] summary')
        )

    assert "reported" in cell(anonymous)
    assert "reported" not in cell(named)
    api = editor_client.get(f"/api/negotiations/{slug}/matrix").json()
    reported = {
        c["party"]: c["reported"]
        for row in api["rows"]
        if row["demand"]["slug"] == demand.slug
        for c in row["cells"]
    }
    assert reported[anonymous.slug] is True
    assert reported[named.slug] is False


def test_the_csv_appends_the_evidence_columns(editor_client, session: Session) -> None:
    make_statement(
        session,
        evidence="other_outlet",
        evidence_outlet="=Interfax",
        **UKRAINIAN,
    )
    session.commit()
    text = editor_client.get("/api/statements.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    header = next(csv.reader(io.StringIO(text)))
    assert header[24:31] == [
        "evidence",
        "evidence_outlet",
        "reported",
        "quote_language",
        "original_quote",
        "translated_by",
        "archive_url",
    ]
    # After the old columns (the last, url, stays at 18) and issue 18's nuance columns.
    assert header.index("url") == 18
    # Issue 17's reaction columns come after these.
    assert header[31:] == ["answers_version_id", "answers_point_id"]
    row = next(r for r in rows if r["original_quote"])
    assert row["reported"] == "yes" and row["evidence_outlet"] == "'=Interfax"
    assert row["quote_language"] == "uk"


@pytest.mark.parametrize("word", ["Київ", "київ", "КИЇВ", "землі", "Kyiv"])
def test_search_finds_a_statement_by_a_word_of_either_quote(session: Session, word: str) -> None:
    statement = make_statement(session, summary="Holds its ground.", **UKRAINIAN)
    make_statement(session, summary="Москва хочет переговоров.", quote="Moscow wants talks.")
    session.commit()
    assert statement.id in [hit.statement.id for hit in search(session, word).hits]


@pytest.mark.parametrize("word", ["Москва", "москва", "МОСКВА"])
def test_search_finds_russian_words_in_any_case(session: Session, word: str) -> None:
    statement = make_statement(
        session,
        summary="Wants talks.",
        quote="Moscow wants talks.",
        quote_language="ru",
        original_quote="Москва хочет переговоров.",
        translated_by="Ed Itor (editor)",
    )
    session.commit()
    assert statement.id in [hit.statement.id for hit in search(session, word).hits]
