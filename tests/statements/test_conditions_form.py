"""Several "only if" conditions per statement on the real form (issue 18): a row per condition
and an empty one, "Add another condition" posting the form back (no script needed), "remove" per
row, and every bad row refused on its own field with nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Revision, Statement, StatementCondition
from app.models.statement_condition import CONDITIONS_MAX
from tests.editors import counts, form_fields
from tests.factories import make_demand, make_negotiation, make_party
from tests.html import one, parse, words
from tests.statements.test_editing import new_statement, statement_id_from


def _conditions(session, statement_id: int) -> list[tuple[int, int | None, str | None]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [
        (c.demand_id, c.party_id, c.note)
        for c in session.scalars(
            select(StatementCondition)
            .where(StatementCondition.statement_id == statement_id)
            .order_by(StatementCondition.id)
        )
    ]


def _rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [fieldset["id"] for fieldset in parse(page).select("#nuance fieldset.condition")]


def _post(client, url: str, page, changes: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post the form as the page rendered it (token, rows, what was typed), with changes."""
    data = {**form_fields(page), **changes}
    return client.post(url, data=data, follow_redirects=False)


def test_a_new_form_has_one_empty_condition_row_and_adds_more_by_posting_back(
    editor_client, session
) -> None:
    page = editor_client.get("/statements/new")
    assert _rows(page) == ["condition-1"]
    assert one(parse(page), "input[name=condition_rows]")["value"] == "1"
    add_button = one(parse(page), "button[name=add_condition]")
    assert "Add another condition" in words(add_button) and add_button.has_attr("formnovalidate")
    # Enter in a field submits the first button: that must stay the one that saves.
    buttons = parse(page).select("#statement-form button[type=submit]")
    assert buttons[0].get("name") is None and "Add statement" in words(buttons[0])

    before = counts(session)
    typed = {**new_statement(summary="Only if two things happen."), "condition_demand_1": "2"}
    again = _post(editor_client, "/statements/new", page, {**typed, "add_condition": "yes"})
    assert again.status_code == 200
    assert counts(session) == before  # nothing saved, nothing checked yet
    assert _rows(again) == ["condition-1", "condition-2"]
    form = parse(again)
    assert form.select_one("details#nuance").has_attr("open")
    assert not form.select(".field--error")
    kept = form_fields(again)
    assert kept["summary"] == "Only if two things happen." and kept["condition_demand_1"] == "2"
    assert kept["submission_key"] == form_fields(page)["submission_key"]
    saved = _post(
        editor_client,
        "/statements/new",
        again,
        {"condition_demand_2": "3", "condition_party_2": "2", "condition_note_2": "by Kyiv"},
    )
    statement_id = statement_id_from(saved)
    assert _conditions(session, statement_id) == [(2, None, None), (3, 2, "by Kyiv")]
    snapshot = session.scalar(
        select(Revision.snapshot).where(
            Revision.entity_type == "statement", Revision.entity_id == statement_id
        )
    )
    assert [c["demand_id"] for c in snapshot["conditions"]] == [2, 3]
    # The statement page lists both.
    shown = parse(editor_client.get(f"/statements/{statement_id}"))
    assert words(shown).count("Only if") >= 2


def test_editing_shows_every_condition_and_removes_one_by_its_tick(editor_client, session) -> None:
    created = editor_client.get("/statements/new")
    statement_id = statement_id_from(
        _post(
            editor_client,
            "/statements/new",
            created,
            {**new_statement(), "condition_demand_1": "2", "condition_note_1": "first"},
        )
    )
    edit = f"/statements/{statement_id}/edit"
    page = editor_client.get(edit)
    page = _post(editor_client, edit, page, {"add_condition": "yes"})
    assert page.status_code == 200
    statement_id_from(
        _post(editor_client, edit, page, {"condition_demand_2": "3", "condition_note_2": "second"})
    )
    assert _conditions(session, statement_id) == [(2, None, "first"), (3, None, "second")]
    page = editor_client.get(edit)
    assert _rows(page) == ["condition-1", "condition-2", "condition-3"]  # and one empty
    assert parse(page).select("input[name=condition_remove_1]")
    assert not parse(page).select("input[name=condition_remove_3]")  # nothing to remove
    statement_id_from(_post(editor_client, edit, page, {"condition_remove_1": "yes"}))
    assert _conditions(session, statement_id) == [(3, None, "second")]
    # An empty row between filled ones is no condition: the rows close up.
    page = editor_client.get(edit)
    statement_id_from(
        _post(
            editor_client,
            edit,
            page,
            {"condition_demand_1": "", "condition_note_1": "", "condition_demand_2": "4"},
        )
    )
    assert _conditions(session, statement_id) == [(4, None, None)]
    # Removing the last condition leaves the statement unconditional.
    page = editor_client.get(edit)
    statement_id_from(_post(editor_client, edit, page, {"condition_remove_1": "yes"}))
    assert _conditions(session, statement_id) == []


def test_the_rows_stop_at_what_a_statement_holds(editor_client, session) -> None:
    page = editor_client.get("/statements/new")
    for forged in ("99999", "9" * 5000, "-1", "\x00", "٣"):
        response = _post(
            editor_client,
            "/statements/new",
            page,
            {"condition_rows": forged, "add_condition": "yes"},
        )
        assert response.status_code == 200, forged
        assert len(_rows(response)) <= 2, forged
    for _ in range(CONDITIONS_MAX + 2):
        page = _post(editor_client, "/statements/new", page, {"add_condition": "yes"})
        assert page.status_code == 200
    assert len(_rows(page)) == CONDITIONS_MAX
    assert not parse(page).select("button[name=add_condition]")
    assert f"at most {CONDITIONS_MAX} conditions" in words(parse(page))
    # A sixth row typed by hand is not read.
    before = counts(session)
    filled = {f"condition_demand_{row}": str(row + 1) for row in range(1, CONDITIONS_MAX + 1)}
    statement_id = statement_id_from(
        _post(
            editor_client,
            "/statements/new",
            page,
            {**new_statement(), **filled, "condition_demand_6": "9"},
        )
    )
    assert counts(session)["Statement"] == before["Statement"] + 1
    assert [c[0] for c in _conditions(session, statement_id)] == list(range(2, 7))


@pytest.mark.parametrize(
    ("row_two", "field", "message"),
    [
        ({"condition_party_2": "2"}, "condition_demand_2", "choose the demand"),
        ({"condition_note_2": "only if"}, "condition_demand_2", "choose the demand"),
        ({"condition_demand_2": "2"}, "condition_demand_2", "twice"),
        ({"condition_demand_2": "1"}, "condition_demand_2", "its own demand"),
        ({"condition_demand_2": "9" * 5000}, "condition_demand_2", "from the list"),
        ({"condition_demand_2": "3", "condition_party_2": "x"}, "condition_party_2", "list"),
        ({"condition_demand_2": "3", "condition_note_2": "a\x00b"}, "condition_note_2", ""),
        ({"condition_demand_2": "3", "condition_note_2": "n" * 301}, "condition_note_2", "300"),
        ({"condition_demand_2": "2147483000"}, "condition_demand_2", "same negotiation"),
    ],
)
def test_a_bad_condition_row_is_refused_on_its_own_field(
    editor_client, session, row_two: dict[str, str], field: str, message: str
) -> None:
    page = editor_client.get("/statements/new")
    page = _post(editor_client, "/statements/new", page, {"add_condition": "yes"})
    before = counts(session)
    response = _post(
        editor_client,
        "/statements/new",
        page,
        {**new_statement(), "condition_demand_1": "2", **row_two},
    )
    assert response.status_code == 422, response.text[:500]
    error = one(parse(response), f"#{field}-error")
    assert message.lower() in words(error).lower()
    # The row the editor typed is shown again, open, and the first row is not blamed.
    assert parse(response).select_one("details#nuance").has_attr("open")
    assert not parse(response).select("#condition_demand_1-error")
    assert counts(session) == before


def test_a_condition_naming_other_talks_or_a_stranger_is_refused(editor_client, session) -> None:
    elsewhere = make_demand(session, negotiation=make_negotiation(session))
    stranger = make_party(session)  # takes part in no talks
    session.commit()
    for row_two, field in (
        ({"condition_demand_2": str(elsewhere.id)}, "condition_demand_2"),
        ({"condition_demand_2": "3", "condition_party_2": str(stranger.id)}, "condition_party_2"),
    ):
        page = editor_client.get("/statements/new")
        page = _post(editor_client, "/statements/new", page, {"add_condition": "yes"})
        before = counts(session)
        response = _post(
            editor_client,
            "/statements/new",
            page,
            {**new_statement(), "condition_demand_1": "2", **row_two},
        )
        assert response.status_code == 422
        assert words(one(parse(response), f"#{field}-error"))
        assert counts(session) == before


def test_adding_a_row_is_a_post_like_any_other(editor_client, session) -> None:
    page = editor_client.get("/statements/new")
    fields = {**form_fields(page), "add_condition": "yes"}
    del fields["csrf_token"]
    refused = editor_client.post("/statements/new", data=fields)
    assert refused.status_code == 403
    forged = editor_client.post("/statements/new", data={**fields, "csrf_token": "not-the-token"})
    assert forged.status_code == 403


def test_a_stale_edit_with_conditions_is_a_conflict(editor_client, session) -> None:
    created = editor_client.get("/statements/new")
    statement_id = statement_id_from(
        _post(editor_client, "/statements/new", created, {**new_statement()})
    )
    edit = f"/statements/{statement_id}/edit"
    loaded = editor_client.get(edit)
    statement_id_from(_post(editor_client, edit, editor_client.get(edit), {"summary": "Newer."}))
    response = _post(editor_client, edit, loaded, {"condition_demand_1": "2"})
    assert response.status_code == 409
    assert _conditions(session, statement_id) == []
    # The conflict page keeps the typed condition, ready to save on top.
    assert form_fields(response)["condition_demand_1"] == "2"
    # The comparison names the condition's demand, and only the rows that hold something.
    conflict = words(one(parse(response), "#conflict"))
    assert "condition 1" in conflict and "condition 2" not in conflict
    assert session.get(Statement, statement_id).summary == "Newer."
