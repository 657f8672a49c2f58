"""Negotiations and participations through the catalog forms, and demands placed in them."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Demand, Negotiation, Participation, Party, Revision
from tests.editors import counts, csrf_of, post_form
from tests.factories import make_negotiation, make_party
from tests.html import one, parse, words


def test_an_admin_adds_talks_a_participant_and_a_demand_in_them(admin_client, session) -> None:
    editor_client = admin_client  # the demand part is any editor's; the talks are an admin's
    created = post_form(
        editor_client,
        "/edit/negotiations/new",
        "/edit/negotiations/new",
        {"slug": "sudan", "title": "Sudan talks", "status": "stalled"},
    )
    assert created.status_code == 303, created.text
    sudan = session.scalar(select(Negotiation).where(Negotiation.slug == "sudan"))
    assert sudan is not None and sudan.status == "stalled"
    us = session.scalar(select(Party).where(Party.slug == "united-states"))
    added = post_form(
        editor_client,
        "/edit/participations/new",
        "/edit/participations/new",
        {"negotiation_id": str(sudan.id), "party_id": str(us.id), "role": "mediator"},
    )
    assert added.status_code == 303, added.text
    participation = session.scalar(
        select(Participation).where(Participation.negotiation_id == sudan.id)
    )
    assert (participation.party_id, participation.role) == (us.id, "mediator")
    # The list names party, talks and role.
    listed = parse(editor_client.get("/edit/participations"))
    row = one(listed, f"#participation-{participation.id}")
    assert "United States in Sudan talks" in words(row)
    assert "mediator" in words(row)
    # A demand goes into the talks chosen in its form; its slug may repeat another talks'.
    taken = session.scalar(select(Demand.slug).order_by(Demand.id).limit(1))
    demand = post_form(
        editor_client,
        "/edit/demands/new",
        "/edit/demands/new",
        {"negotiation_id": str(sudan.id), "slug": taken, "title": "A ceasefire"},
    )
    assert demand.status_code == 303, demand.text
    made = session.scalar(select(Demand).where(Demand.negotiation_id == sudan.id))
    assert made.slug == taken
    # Its history names the negotiation, not its id.
    page = parse(editor_client.get(f"/edit/demands/{made.id}"))
    assert words(one(page, "#history [data-field=negotiation_id] .diff__after")) == "Sudan talks"
    for row in (sudan, participation):
        revision = session.scalars(
            select(Revision).where(
                Revision.entity_type == row.ENTITY_TYPE, Revision.entity_id == row.id
            )
        ).one()
        assert revision.snapshot == row.snapshot()


def test_a_party_takes_part_once_and_bad_input_changes_nothing(admin_client, session) -> None:
    editor_client = admin_client
    talks = make_negotiation(session, slug="jeddah", title="Jeddah talks")
    party = make_party(session)
    session.commit()
    url = "/edit/participations/new"
    values = {"negotiation_id": str(talks.id), "party_id": str(party.id), "role": "observer"}
    assert post_form(editor_client, url, url, values).status_code == 303
    before = counts(session)
    for changes, field in [
        ({}, "party_id"),  # already takes part
        ({"role": "belligerent"}, "role"),
        ({"party_id": "999999"}, "party_id"),
        ({"negotiation_id": "x"}, "negotiation_id"),
    ]:
        response = post_form(editor_client, url, url, {**values, **changes})
        assert response.status_code == 422, changes
        assert one(parse(response), f"#{field}-error"), changes
    for changes, field in [
        ({"slug": "jeddah"}, "slug"),
        ({"status": "frozen"}, "status"),
        ({"status_changed_on": "last week"}, "status_changed_on"),
        ({"title": ""}, "title"),
    ]:
        new = "/edit/negotiations/new"
        response = post_form(
            editor_client, new, new, {"slug": "new-talks", "title": "New talks", **changes}
        )
        assert response.status_code == 422, changes
        assert one(parse(response), f"#{field}-error"), changes
    assert counts(session) == before


def test_with_two_negotiations_a_demand_form_must_name_one(editor_client, session) -> None:
    make_negotiation(session, slug="jeddah", title="Jeddah talks")
    session.commit()
    before = counts(session)
    url = "/edit/demands/new"
    response = post_form(editor_client, url, url, {"negotiation_id": "", "title": "Whose?"})
    assert response.status_code == 422
    assert "choose the negotiation" in words(one(parse(response), "#negotiation_id-error"))
    assert counts(session) == before


def test_an_editor_may_not_add_or_change_negotiations_or_who_takes_part(
    editor_client, session, admin
) -> None:
    """Negotiations and participations are the admins': an editor (even one who edits every
    negotiation) is refused the pages and the posts, and nothing changes."""
    talks = make_negotiation(session, slug="jeddah", title="Jeddah talks")
    party = make_party(session)
    session.commit()
    token = csrf_of(editor_client.get("/statements/new"))
    before = counts(session)
    for url in ["/edit/negotiations", "/edit/negotiations/new", f"/edit/negotiations/{talks.id}"]:
        page = editor_client.get(url)
        assert page.status_code == 403, url
        assert "Only admins" in words(one(parse(page), "[role=alert]"))
    posts = [
        ("/edit/negotiations/new", {"slug": "new-talks", "title": "New talks"}),
        (f"/edit/negotiations/{talks.id}", {"slug": "jeddah", "title": "Renamed", "version": "1"}),
        (
            "/edit/participations/new",
            {"negotiation_id": str(talks.id), "party_id": str(party.id), "role": "observer"},
        ),
    ]
    for url, data in posts:
        response = editor_client.post(
            url, data={"csrf_token": token, **data}, follow_redirects=False
        )
        assert response.status_code == 403, url
        assert "Only admins" in words(one(parse(response), "[role=alert]"))
    assert counts(session) == before
    # The catalog's index offers an editor only what they may change.
    index = words(one(parse(editor_client.get("/edit")), ".catalog-index"))
    assert "Negotiations" not in index and "Participations" not in index
