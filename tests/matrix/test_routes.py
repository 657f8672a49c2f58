from __future__ import annotations

import datetime as dt

import pytest

from app.stances import Stance
from tests.editors import log_in
from tests.factories import (
    default_negotiation,
    make_participation,
    make_party,
    make_statement,
)
from tests.html import one, parse, words


def cell(page, party: str, demand: str):  # type: ignore[no-untyped-def]
    return one(parse(page), f'#matrix td[data-party="{party}"][data-demand="{demand}"]')


def test_matrix_shows_every_party_and_demand_of_the_demo(client) -> None:
    page = parse(client.get("/"))
    parties = [th["data-party"] for th in page.select("#matrix thead th[data-party]")]
    assert sorted(parties) == ["european-allies", "russia", "ukraine", "united-states"]
    demands = [tr["data-demand"] for tr in page.select("#matrix tbody tr")]
    assert demands[0] == "nato-renunciation"
    assert "language-education-culture" in demands
    assert len(page.select("#matrix td")) == len(parties) * len(demands)


def test_cell_shows_stance_in_words_summary_date_at_its_precision_and_a_link(client) -> None:
    td = cell(client.get("/"), "russia", "nato-renunciation")
    assert td["data-stance"] == "insists"
    assert "insists" in words(one(td, ".stance"))
    assert "renounce its NATO bid" in words(one(td, ".cell__summary"))
    link = one(td, "a")
    assert words(link) == "June 2024"  # the article says "in June": never "1 June 2024"
    assert link["href"].startswith("/statements/")
    assert one(td, "time")["datetime"] == "2024-06"


def test_softened_demand_reads_insists_before_the_shift_and_open_after(client) -> None:
    before = cell(client.get("/?as_of=2024-12-31"), "ukraine", "russian-withdrawal")
    assert before["data-stance"] == "insists"
    assert "2022" in words(before)

    after = cell(client.get("/?as_of=2025-01-31"), "ukraine", "russian-withdrawal")
    assert after["data-stance"] == "open"
    assert "softened" in words(after)


def test_positions_not_yet_stated_read_no_stated_position(client) -> None:
    td = cell(client.get("/?as_of=2024-12-31"), "ukraine", "security-guarantees")
    assert td["data-stance"] == "none"
    assert words(td).endswith("no stated position")


def test_a_date_before_any_data_renders_an_empty_matrix(client) -> None:
    response = client.get("/?as_of=1990-01-01")
    assert response.status_code == 200
    stances = {td["data-stance"] for td in parse(response).select("#matrix td")}
    assert stances == {"none"}


def test_a_future_date_is_a_valid_date(client) -> None:
    response = client.get("/?as_of=2099-12-31")
    assert response.status_code == 200
    assert cell(response, "ukraine", "russian-withdrawal")["data-stance"] == "open"


def test_since_marks_the_cells_that_changed_and_says_what_they_were(client) -> None:
    page = client.get("/?as_of=2025-01-31&since=2024-12-31")
    changed = parse(page).select("#matrix td.cell--changed")
    shifted = cell(page, "ukraine", "russian-withdrawal")
    assert shifted in changed
    assert "was insists" in words(one(shifted, ".cell__changed"))
    # Stated in June 2024 and unchanged since: not marked.
    assert "cell--changed" not in cell(page, "russia", "nato-renunciation")["class"]
    newly_stated = cell(page, "ukraine", "security-guarantees")
    assert "was no stated position" in words(newly_stated)
    assert f": {len(changed)}" in words(one(parse(page), ".matrix-title"))


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("as_of=2025-02-30", "not a real calendar date"),
        ("as_of=2025-13-01", "not a real calendar date"),
        ("as_of=yesterday", "YYYY-MM-DD"),
        ("as_of=2025-1-1", "YYYY-MM-DD"),
        ("since=2025-02-30", "since"),
        ("as_of=2024-01-01&since=2025-01-01", "on or before"),
    ],
)
def test_bad_dates_get_a_400_that_names_the_problem_and_shows_the_form(
    client, query: str, problem: str
) -> None:
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    page = parse(response)
    assert problem in words(one(page, "#matrix [role=alert]"))
    form = one(page, "form.date-form")
    assert form.select_one("input[name=as_of]") is not None
    assert not page.select("#matrix table")


def test_bad_date_is_shown_back_in_the_form_as_text(client) -> None:
    response = client.get('/?as_of="><script>alert(1)</script>')
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text
    assert one(parse(response), "input[name=as_of]")["value"] == '"><script>alert(1)</script>'


def test_htmx_request_gets_only_the_matrix_fragment(client) -> None:
    response = client.get("/?as_of=2024-12-31", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert parse(response).select_one("section#matrix") is not None
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client) -> None:
    response = client.get(
        "/?as_of=2024-12-31",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text


def test_htmx_bad_date_fragment_is_a_400_with_the_message(client) -> None:
    response = client.get("/?as_of=2025-02-30", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "<html" not in response.text
    assert "not a real calendar date" in response.text


def test_empty_parameters_mean_today(client) -> None:
    response = client.get("/?as_of=&since=")
    assert response.status_code == 200
    assert dt.date.today().isoformat() in one(parse(response), ".matrix-title time")["datetime"]


def test_markup_in_a_summary_is_shown_as_text(client, session) -> None:
    party = make_party(session, slug="markup", name="<b>Bold</b> party")
    make_statement(
        session,
        party=party,
        summary='<script>alert("x")</script> " onmouseover="alert(1)',
        stated_on=dt.date(2025, 1, 5),
    )
    session.commit()
    response = client.get("/")
    assert "<script>alert" not in response.text
    assert "<b>Bold</b>" not in response.text
    td = one(parse(response), '#matrix td[data-party="markup"].cell--accepts')
    assert '<script>alert("x")</script>' in words(td)


def test_matrix_query_count_is_fixed_whatever_the_data(client, session, queries) -> None:
    client.get("/talks/russia-ukraine")
    baseline = queries.count
    # The data version (for the ETag), the negotiation, its participants, its demands, and
    # every cell in one query (with whether it carries conditions or is in an offer, issue 18).
    assert baseline == 5
    queries.clear()
    client.get("/")  # the only negotiation's matrix: "is there only one?" instead of its slug
    # Its headings are kept for this data version (a reader's page for another date, below).
    assert queries.count == baseline - 2

    party = make_party(session, slug="many")
    for day in range(1, 28):
        make_statement(
            session,
            party=party,
            stance=Stance.REJECTS if day % 2 else Stance.ACCEPTS,
            stated_on=dt.date(2025, 2, day),
        )
    session.commit()
    queries.clear()
    client.get("/talks/russia-ukraine?since=2025-01-01")
    assert queries.count == baseline


def test_a_readers_matrix_for_another_date_reuses_the_headings_until_the_data_changes(
    client, editor, session, queries
) -> None:
    """A cache miss (a date nobody asked for yet) reads only the cells: the participants and
    demands are kept for the data version. Any write moves the version on, so a renamed or new
    party shows on the next page; an editor always reads them afresh."""
    client.get("/talks/russia-ukraine?as_of=2025-01-01")
    queries.clear()
    client.get("/talks/russia-ukraine?as_of=2025-01-02")
    # The data version, the negotiation and the cells.
    assert queries.count == 3

    party = make_party(session, slug="newcomer", name="Newcomer")
    make_participation(session, party=party, negotiation=default_negotiation(session))
    session.commit()
    queries.clear()
    page = parse(client.get("/talks/russia-ukraine?as_of=2025-01-03"))
    assert queries.count == 5
    assert page.select('#matrix thead th[data-party="newcomer"]')

    log_in(client, editor)
    for day in ("2025-01-04", "2025-01-05"):
        queries.clear()
        assert client.get(f"/talks/russia-ukraine?as_of={day}").status_code == 200
        assert any("JOIN participation" in statement for statement in queries.statements)


def test_a_bad_date_from_the_htmx_form_is_shown_in_the_form_and_keeps_the_matrix(client) -> None:
    """Issue 14: htmx retargets the answer to the form, which shows the message by its field;
    the matrix on screen is not replaced and the URL is not pushed."""
    response = client.get("/?as_of=32025-01-31", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#date-form"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert response.headers["HX-Push-Url"] == "false"
    page = parse(response)
    assert page.select("#matrix") == []
    form = one(page, "form#date-form")
    assert one(form, "input[name=as_of]")["value"] == "32025-01-31"
    assert one(form, "input[name=as_of]")["aria-invalid"] == "true"
    error = one(form, "#as_of-error")
    assert error["role"] == "alert"
    assert "YYYY-MM-DD, not '32025-01-31'" in words(error)
    assert "as_of" not in words(error)


def test_the_date_form_asks_for_empty_fields_to_be_left_out(client) -> None:
    form = one(parse(client.get("/")), "form#date-form")
    assert form.has_attr("data-drop-empty")
