"""Issue 14, editors: near-duplicates, a known source never silently edited, demands added from
the statement form (slug from the title, placed last), dates whose precision is what was typed,
messages that do not repeat their label, and the "Saved." status at the top of the page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.dates import time_ago
from app.models import Demand, Party, Revision, Source, Statement, User
from app.slugs import slugify
from app.stances import Stance
from tests.editors import counts, form_fields, post_form
from tests.factories import make_demand, make_source, make_statement
from tests.html import one, parse, words
from tests.statements.test_editing import add, new_statement, statement_id_from

# --- 1. Near-duplicates --------------------------------------------------------------------------


def test_saving_the_same_statement_again_warns_and_saves_nothing(editor_client, session) -> None:
    first = statement_id_from(add(editor_client))
    before = counts(session)
    # Back, then save again: a fresh form (a new submission key) with the same fields.
    again = add(editor_client, summary="Worded a little differently.")
    assert again.status_code == 409
    assert counts(session) == before
    page = parse(again)
    warning = one(page, "#duplicate-warning")
    assert f"This looks like statement #{first}, saved just now by you" in words(warning)
    assert one(warning, "a")["href"] == f"/statements/{first}"
    assert words(one(warning, "a")) == "Open it"
    save_anyway = one(warning, "button[name=save_anyway]")
    assert (words(save_anyway), save_anyway["value"]) == ("Save anyway", str(first))
    # What was typed is still there, so "save anyway" sends the same form.
    assert form_fields(again)["summary"] == "Worded a little differently."

    data = {**form_fields(again), "save_anyway": str(first)}
    saved = editor_client.post("/statements/new", data=data, follow_redirects=False)
    second = statement_id_from(saved)
    assert second != first
    assert counts(session)["Statement"] == before["Statement"] + 1
    # The submission key still makes a replay of that post harmless.
    replay = editor_client.post("/statements/new", data=data, follow_redirects=False)
    assert statement_id_from(replay) == second
    assert counts(session)["Statement"] == before["Statement"] + 1


def test_a_double_submit_is_not_taken_for_a_duplicate_of_itself(editor_client, session) -> None:
    page = editor_client.get("/statements/new")
    data = {**form_fields(page), **new_statement()}
    first = editor_client.post("/statements/new", data=data, follow_redirects=False)
    replay = editor_client.post("/statements/new", data=data, follow_redirects=False)
    assert statement_id_from(replay) == statement_id_from(first)


@pytest.mark.parametrize(
    "change",
    [{"stance": "1"}, {"stated_on": "2025-03"}, {"party": "2"}],
)
def test_a_statement_that_differs_in_what_it_says_is_not_a_duplicate(
    editor_client, session, change
) -> None:
    statement_id_from(add(editor_client))
    statement_id_from(add(editor_client, **change))


def test_a_retracted_statement_is_not_warned_about(editor_client, session) -> None:
    first = session.get(Statement, statement_id_from(add(editor_client)))
    url = f"/statements/{first.id}/retract"
    retracted = post_form(editor_client, url, url, {"reason": "Entered by mistake."})
    assert retracted.status_code == 303
    statement_id_from(add(editor_client))


def test_the_warning_names_the_colleague_who_saved_it(editor_client, session) -> None:
    source = make_source(session, url="https://news.example.org/known")
    first = make_statement(
        session,
        party=session.get(Party, 1),
        demand=session.get(Demand, 1),
        source=source,
        stance=Stance(-1),
        stated_on=dt.date(2025, 3, 4),
    )
    session.commit()
    warned = add(
        editor_client,
        source_url=source.url,
        source_title="",
        source_publisher="",
        source_published_on="",
    )
    assert warned.status_code == 409
    author = session.get(User, first.created_by_id).display_name
    warning = words(one(parse(warned), "#duplicate-warning"))
    assert f"#{first.id}, saved just now by {author}" in warning


# --- 2. A known source is shown, not edited ------------------------------------------------------


def test_the_edit_form_shows_the_known_source_read_only_with_a_link(editor_client, session) -> None:
    statement_id = statement_id_from(add(editor_client))
    statement = session.get(Statement, statement_id)
    page = parse(editor_client.get(f"/statements/{statement_id}/edit"))
    known = one(page, "#known-source")
    assert "New story" in words(known)
    link = one(known, "a")
    assert link["href"] == f"/edit/sources/{statement.source_id}"
    assert page.select("input[name=source_title]") == []
    # Saving the form as it is works and changes nothing about the source.
    url = f"/statements/{statement_id}/edit"
    saved = post_form(editor_client, url, url, {"summary": "Still rejects it."})
    assert saved.status_code == 303


def test_a_changed_title_beside_a_known_url_is_refused_not_dropped(editor_client, session) -> None:
    statement_id = statement_id_from(add(editor_client))
    statement = session.get(Statement, statement_id)
    before = counts(session)
    url = f"/statements/{statement_id}/edit"
    response = post_form(editor_client, url, url, {"source_title": "A better title"})
    assert response.status_code == 422
    page = parse(response)
    assert "does not change it" in words(one(page, "#source_title-error"))
    assert "Saved" not in words(page)
    session.expire_all()
    assert session.get(Source, statement.source_id).title == "New story"
    assert counts(session) == before


# --- 3. A new demand from the statement form; slugs; order ---------------------------------------


def test_a_new_demand_is_added_with_the_statement_slugged_and_placed_last(
    editor_client, session
) -> None:
    last = session.scalar(select(func.max(Demand.display_order)))
    response = add(editor_client, demand="", new_demand_title="Нейтралітет України")
    statement = session.get(Statement, statement_id_from(response))
    demand = session.get(Demand, statement.demand_id)
    assert (demand.title, demand.slug) == ("Нейтралітет України", "neitralitet-ukrainy")
    assert demand.display_order == last + 1
    revision = session.scalar(
        select(Revision).where(Revision.entity_type == "demand", Revision.entity_id == demand.id)
    )
    assert revision is not None and revision.action == "create"
    # The same title again gets the next free slug.
    again = add(
        editor_client,
        demand="",
        new_demand_title="Нейтралітет  України!",
        source_url="https://news.example.org/another",
    )
    other = session.get(Demand, session.get(Statement, statement_id_from(again)).demand_id)
    assert other.slug == "neitralitet-ukrainy-2"
    assert other.display_order == last + 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"demand": "", "new_demand_title": ""}, "demand", "add a new one"),
        ({"demand": "1", "new_demand_title": "Another"}, "new_demand_title", "clear one"),
        (
            {"demand": "", "new_demand_title": "T", "new_demand_slug": "Not A Slug"},
            "new_demand_slug",
            "lower-case",
        ),
        ({"demand": "", "new_demand_title": "x" * 301}, "new_demand_title", "at most 300"),
    ],
)
def test_a_new_demand_that_cannot_be_added_is_refused_on_its_field(
    editor_client, session, changes, field, message
) -> None:
    before = counts(session)
    response = add(editor_client, **changes)
    assert response.status_code == 422
    assert message in words(one(parse(response), f"#{field}-error"))
    assert counts(session) == before


def test_a_typed_slug_that_is_taken_is_refused(editor_client, session) -> None:
    make_demand(session, slug="taken-slug")
    session.commit()
    before = counts(session)
    response = add(editor_client, demand="", new_demand_title="T", new_demand_slug="taken-slug")
    assert response.status_code == 422
    assert "taken-slug" in words(one(parse(response), "#new_demand_slug-error"))
    assert counts(session) == before


def test_the_manage_form_makes_the_slug_and_puts_a_new_demand_last(editor_client, session) -> None:
    last = session.scalar(select(func.max(Demand.display_order)))
    page = parse(editor_client.get("/edit/demands/new"))
    assert one(page, "input[name=display_order]").get("value", "") == ""
    response = post_form(
        editor_client,
        "/edit/demands/new",
        "/edit/demands/new",
        {"slug": "", "title": "Crimea's status is left open", "display_order": ""},
    )
    assert response.status_code == 303
    demand = session.scalar(select(Demand).where(Demand.title == "Crimea's status is left open"))
    assert demand.slug == "crimeas-status-is-left-open"
    assert demand.display_order == last + 1


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ukraine joins NATO", "ukraine-joins-nato"),
        ("Київ і Львів", "kyiv-i-lviv"),  # Ukrainian: и is y, word-initial є ї й ю я
        ("Ящик Європи", "yashchyk-yevropy"),
        ("Демилитаризация Украины", "demilitarizatsiya-ukrainy"),  # Russian
        ("Sécurité à São Paulo", "securite-a-sao-paulo"),
        ("中文", "demand"),
        ("a " * 60, "-".join(["a"] * 30)),
    ],
)
def test_slugs_are_transliterated(title, slug) -> None:
    assert slugify(title, fallback="demand") == slug


# --- 4, 5. Dates: precision is what was typed; messages do not repeat the label ------------------


def test_a_month_is_taken_as_a_month_whatever_a_stale_form_says(editor_client, session) -> None:
    response = add(editor_client, stated_on="2025-06", stated_on_precision="day")
    statement = session.get(Statement, statement_id_from(response))
    assert (statement.stated_on, statement.stated_on_precision) == (dt.date(2025, 6, 1), "month")


def test_the_form_has_no_precision_menu_and_says_how_to_type_a_month(editor_client) -> None:
    page = parse(editor_client.get("/statements/new"))
    assert page.select("[name=stated_on_precision]") == []
    assert "2025-06 (a month)" in words(one(page, "#stated_on-hint"))


def test_the_edit_form_shows_a_month_as_a_month(editor_client, session) -> None:
    statement_id = statement_id_from(add(editor_client, stated_on="2024"))
    page = parse(editor_client.get(f"/statements/{statement_id}/edit"))
    assert one(page, "input[name=stated_on]")["value"] == "2024"


def test_a_message_does_not_repeat_its_label(editor_client) -> None:
    page = parse(add(editor_client, stated_on="2025-02-30"))
    listed = words(one(page, "#form-problems li"))
    assert listed.count("Date stated") == 1, listed
    assert listed.endswith("'2025-02-30' is not a real calendar date.")
    assert words(one(page, "#stated_on-error")) == "⚠ '2025-02-30' is not a real calendar date."


def test_the_source_form_infers_precision_and_does_not_repeat_the_label(
    editor_client, session
) -> None:
    source = make_source(session)
    session.commit()
    url = f"/edit/sources/{source.id}"
    refused = post_form(editor_client, url, url, {"published_on": "2025-02-30"})
    assert refused.status_code == 422
    assert words(one(parse(refused), "#published_on-error")) == (
        "⚠ '2025-02-30' is not a real calendar date."
    )
    saved = post_form(editor_client, url, url, {"published_on": "2025"})
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(Source, source.id).published_on_precision == "year"


# --- 7. "Saved." first in the page, as a status -------------------------------------------------


@pytest.mark.parametrize("where", ["statement", "catalog"])
def test_saved_is_a_status_message_at_the_top_of_the_page(editor_client, session, where) -> None:
    if where == "statement":
        location = add(editor_client).headers["location"]
    else:
        source = make_source(session)
        session.commit()
        url = f"/edit/sources/{source.id}"
        location = post_form(editor_client, url, url, {"title": "Renamed"}).headers["location"]
    page = parse(editor_client.get(location))
    main = one(page, "main")
    first = main.find(True)
    assert (first.get("role"), words(first)) == ("status", "Saved.")
    assert len(page.select("[role=status]:-soup-contains('Saved.')")) == 1


def test_a_reader_with_a_saved_url_sees_no_saved_notice(client, session) -> None:
    source = make_source(session)
    session.commit()
    page = parse(client.get(f"/sources/{source.id}?saved=1"))
    assert "Saved." not in words(page)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (20, "just now"),
        (60, "1 minute ago"),
        (150, "2 minutes ago"),
        (3 * 3600 + 5, "3 hours ago"),
        (86400, "1 day ago"),
        (40 * 86400, "on 21 October 2026"),
    ],
)
def test_how_long_ago_a_statement_was_saved(seconds, said) -> None:
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    assert time_ago(now - dt.timedelta(seconds=seconds), now) == said
