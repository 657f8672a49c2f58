"""Parties, demands and sources managed through the editor pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Demand, Party, Revision, Source
from tests.editors import counts, form_fields, log_in, post_form
from tests.factories import make_demand, make_participation, make_party, make_source
from tests.html import one, parse, words

NEW_PARTY = {
    "slug": "new-party",
    "name": "New Party",
    "short_name": "NP",
    "kind": "organisation",
    "colour": "#AA3300",
    "description": "A party added through the form.",
}


def test_an_editor_adds_and_edits_a_party_with_revisions(editor_client, session) -> None:
    created = post_form(editor_client, "/edit/parties/new", "/edit/parties/new", NEW_PARTY)
    assert created.status_code == 303
    party = session.scalar(select(Party).where(Party.slug == "new-party"))
    assert party.colour == "#aa3300"
    url = f"/edit/parties/{party.id}"
    edited = post_form(editor_client, url, url, {"name": "Renamed Party"})
    assert edited.status_code == 303
    page = parse(editor_client.get(url))
    latest = page.select("#history .revision")[0]
    assert latest["data-action"] == "edit"
    assert words(one(latest, "tr[data-field=name] .diff__after")) == "Renamed Party"
    assert len(page.select("#history .revision")) == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "russia"}, "slug"),
        ({"colour": "red"}, "colour"),
        ({"kind": "empire"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"short_name": "nul\x00"}, "short_name"),
        ({"description": "d" * 4001}, "description"),
    ],
)
def test_bad_party_input_is_refused_and_changes_nothing(
    editor_client, session, changes, field
) -> None:
    before = counts(session)
    response = post_form(
        editor_client, "/edit/parties/new", "/edit/parties/new", {**NEW_PARTY, **changes}
    )
    assert response.status_code == 422
    assert one(parse(response), f"#{field}-error")
    assert counts(session) == before


def test_a_stale_party_edit_is_409_with_both_versions(client, session, editor, admin) -> None:
    party = make_party(session, name="Old name")
    session.commit()
    url = f"/edit/parties/{party.id}"
    first, second = client, TestClient(client.app)
    log_in(first, editor)
    log_in(second, admin)
    form_one, form_two = form_fields(first.get(url)), form_fields(second.get(url))
    assert (
        first.post(url, data={**form_one, "name": "First"}, follow_redirects=False).status_code
        == 303
    )
    before = counts(session)
    stale = second.post(url, data={**form_two, "short_name": "2nd"}, follow_redirects=False)
    assert stale.status_code == 409
    assert counts(session) == before
    rows = parse(stale).select(".conflict-table tr.differs th")
    assert {words(r).replace(" differs", "") for r in rows} == {"Name", "Short name"}
    applied = second.post(url, data=form_fields(stale), follow_redirects=False)
    assert applied.status_code == 303
    session.expire_all()
    stored = session.get(Party, party.id)
    # Their change on top of the colleague's: neither is lost.
    assert (stored.name, stored.short_name, stored.version) == ("First", "2nd", 3)


def test_a_field_both_editors_changed_is_pointed_out(client, session, editor, admin) -> None:
    party = make_party(session, name="Old name")
    session.commit()
    url = f"/edit/parties/{party.id}"
    first, second = client, TestClient(client.app)
    log_in(first, editor)
    log_in(second, admin)
    form_one, form_two = form_fields(first.get(url)), form_fields(second.get(url))
    first.post(url, data={**form_one, "name": "First"}, follow_redirects=False)
    stale = second.post(url, data={**form_two, "name": "Second"}, follow_redirects=False)
    assert stale.status_code == 409
    page = parse(stale)
    marked = one(page, ".conflict-table .differs-mark--both").find_parent("th")
    assert words(marked).startswith("Name")
    assert form_fields(stale)["name"] == "Second"  # theirs, for them to decide


def test_demands_are_reordered_with_a_revision_each(editor_client, session) -> None:
    first = make_demand(session, display_order=900_001)
    second = make_demand(session, display_order=900_002)
    session.commit()
    page = editor_client.get("/edit/demands")
    form = form_fields(page, f"form[action='/edit/demands/{second.id}/move/up']")
    response = editor_client.post(
        f"/edit/demands/{second.id}/move/up", data=form, follow_redirects=False
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Demand, second.id).display_order == 900_001
    assert session.get(Demand, first.id).display_order == 900_002
    ids = [
        int(tr["data-id"])
        for tr in parse(editor_client.get("/edit/demands")).select("#records tbody tr")
    ]
    assert ids.index(second.id) < ids.index(first.id)
    # A second move from the same (now stale) list is refused.
    before = counts(session)
    stale = editor_client.post(
        f"/edit/demands/{second.id}/move/down", data=form, follow_redirects=False
    )
    assert stale.status_code == 409
    assert counts(session) == before


def test_a_source_keeps_its_url_unique_and_its_date_precision(editor_client, session) -> None:
    source = make_source(session)
    other = make_source(session)
    session.commit()
    url = f"/edit/sources/{source.id}"
    before = counts(session)
    taken = post_form(editor_client, url, url, {"url": other.url})
    assert taken.status_code == 422
    assert "already has this URL" in words(one(parse(taken), "#url-error"))
    for bad in ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/"]:
        response = post_form(editor_client, url, url, {"url": bad})
        assert response.status_code == 422, bad
    month_with_day = post_form(editor_client, url, url, {"published_on": "2025-02-30"})
    assert month_with_day.status_code == 422
    assert counts(session) == before
    saved = post_form(editor_client, url, url, {"published_on": "2024-06"})
    assert saved.status_code == 303
    session.expire_all()
    stored = session.get(Source, source.id)
    assert (stored.published_on.isoformat(), stored.published_on_precision) == (
        "2024-06-01",
        "month",
    )


def test_an_earlier_demand_revision_is_brought_back(editor_client, session) -> None:
    demand = make_demand(session, title="First title")
    session.commit()
    url = f"/edit/demands/{demand.id}"
    post_form(editor_client, url, url, {"title": "Second title"})
    page = editor_client.get(url)
    action = one(parse(page), "form[action*='/bring-back/']")["action"]
    response = editor_client.post(
        action, data=form_fields(page, f"form[action='{action}']"), follow_redirects=False
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Demand, demand.id).title == "First title"
    actions = session.scalars(
        select(Revision.action)
        .where(Revision.entity_type == "demand", Revision.entity_id == demand.id)
        .order_by(Revision.version)
    ).all()
    assert actions == ["create", "edit", "revert"]


@pytest.mark.parametrize(
    ("kind", "choices"),
    # The form's selects of records (a demand's negotiation, a participation's two sides) and
    # the names its history refers to, in one query (a demand's negotiation, a participation's
    # negotiation and party).
    [("parties", 0), ("demands", 2), ("sources", 0), ("negotiations", 0), ("participations", 3)],
)
def test_catalog_pages_query_counts(
    client, editor, admin, queries, kind: str, choices: int
) -> None:
    # Negotiations and who takes part are the admins' pages; the rest any editor's.
    log_in(client, admin if kind in ("negotiations", "participations") else editor)
    editor_client = client
    queries.clear()
    assert editor_client.get(f"/edit/{kind}").status_code == 200
    assert queries.count == 3  # the user, the records, the header's review count
    queries.clear()
    assert editor_client.get(f"/edit/{kind}/1").status_code == 200
    # The user, the record, its revisions with their authors, the header's review count and
    # the choices.
    assert queries.count == 4 + choices


def test_unknown_kinds_and_records_are_404(editor_client) -> None:
    for path in ("/edit/weapons", "/edit/parties/999999"):
        response = editor_client.get(path)
        assert response.status_code == 404, path
        page = parse(response)
        assert "not found" in words(one(page, "h1")).lower(), path
        assert not page.select("main form[method=post]"), path


MARKUP = '<script>alert(1)</script>" onmouseover="alert(2)'


def test_markup_in_party_and_demand_fields_is_shown_as_text(editor_client, session) -> None:
    party = post_form(
        editor_client,
        "/edit/parties/new",
        "/edit/parties/new",
        {**NEW_PARTY, "name": MARKUP, "short_name": MARKUP[:40], "description": MARKUP},
    )
    demand = post_form(
        editor_client,
        "/edit/demands/new",
        "/edit/demands/new",
        {"slug": "markup", "title": MARKUP, "description": MARKUP, "display_order": "1"},
    )
    assert party.status_code == demand.status_code == 303
    for url in [
        "/",
        "/statements/new",
        party.headers["location"],
        demand.headers["location"],
        "/edit/parties",
        "/edit/demands",
    ]:
        page = editor_client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert(1)" not in page.text, url
        soup = parse(page)
        assert not soup.select("script:not([src]), [onmouseover]"), url
    # The statement form offers parties taking part in the editor's negotiations.
    made = session.scalar(select(Party).where(Party.name == MARKUP))
    make_participation(session, party=made)
    session.commit()
    options = [o.text for o in parse(editor_client.get("/statements/new")).select("#party option")]
    assert MARKUP in options


@pytest.mark.parametrize(
    "kind", ["parties", "demands", "sources", "negotiations", "participations"]
)
def test_every_new_form_opens_and_its_defaults_are_valid_choices(
    client, editor, admin, kind
) -> None:
    log_in(client, admin if kind in ("negotiations", "participations") else editor)
    response = client.get(f"/edit/{kind}/new")
    assert response.status_code == 200
    page = parse(response)
    for menu in page.select("form.editor-form select"):
        assert menu.select_one("option[selected]") is not None, menu["name"]


def test_demands_with_equal_orders_can_still_be_moved(editor_client, session) -> None:
    first = make_demand(session, display_order=800_000)
    second = make_demand(session, display_order=800_000)
    session.commit()
    page = editor_client.get("/edit/demands")
    action = f"/edit/demands/{second.id}/move/up"
    response = editor_client.post(
        action, data=form_fields(page, f"form[action='{action}']"), follow_redirects=False
    )
    assert response.status_code == 303
    ids = [
        int(tr["data-id"])
        for tr in parse(editor_client.get("/edit/demands")).select("#records tbody tr")
    ]
    assert ids.index(second.id) < ids.index(first.id)
