"""Editors' rights per negotiation (issue 16): an editor granted negotiation A posts, with a real
CSRF token, to every write route of the app for negotiation B, and each answers 403 and changes
nothing; the same posts for A go through. Routes are walked from the app's route table, so a
write route added later fails here unless it is listed below as exempt, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.csrf import UNSAFE_METHODS
from app.models import (
    Demand,
    Negotiation,
    Participation,
    Party,
    Proposal,
    ProposalKind,
    Revision,
    Source,
    Statement,
    User,
)
from app.proposals.service import ProposalFields, create_proposal
from app.statements.service import RetractionFields, retract_statement
from app.users.service import NegotiationGrant, set_negotiations, system_user
from tests.api.test_openapi import app_routes
from tests.editors import counts, csrf_of, log_in
from tests.factories import (
    default_negotiation,
    make_demand,
    make_negotiation,
    make_participation,
    make_party,
    make_statement,
    make_user,
)
from tests.html import one, parse, words
from tests.statements.test_editing import new_statement

# Write routes that touch no negotiation's data, and why they are not walked.
EXEMPT = {
    "csp_report": "browsers' violation reports: no token, no data",
    "login": "an account's own login",
    "check_second_factor": "an account's own login",
    "set_up": "an account's own second factor, at login",
    "logout": "an account's own session",
    "set_up_second_factor": "an account's own second factor",
    "account_recovery_codes": "an account's own recovery codes",
}
# Admins' routes: walked too (an editor is refused every one), though they hold no talks' data.
ADMIN_ROUTES = {
    "add_user",
    "user_active",
    "user_password",
    "user_role",
    "user_second_factor",
    "user_negotiations",
    "check_source_links",
    "add_webhook",
    "webhook_replay",
}
# The catalog's kinds that belong to no negotiation (any editor edits them).
GLOBAL_KINDS = {"parties", "sources"}


@dataclass
class Talks:
    negotiation: Negotiation
    party: Party
    demand: Demand
    statement: Statement
    retracted: Statement
    participation: Participation


def talks(session: Session, negotiation: Negotiation, shared: Party) -> Talks:
    demand = make_demand(session, negotiation=negotiation)
    if not session.scalar(
        select(Participation).where(
            Participation.negotiation_id == negotiation.id, Participation.party_id == shared.id
        )
    ):
        make_participation(session, party=shared, negotiation=negotiation)
    statement = make_statement(session, party=shared, demand=demand)
    statement = edit_once(session, statement)
    retracted = make_statement(session, party=shared, demand=demand)
    retracted = retract_statement(
        session,
        retracted,
        RetractionFields(reason="Misquoted."),
        form_version=retracted.version,
        user=system_user(session),
    )
    participation = session.scalars(
        select(Participation).where(
            Participation.negotiation_id == negotiation.id, Participation.party_id == shared.id
        )
    ).one()
    return Talks(negotiation, shared, demand, statement, retracted, participation)


def edit_once(session: Session, statement: Statement) -> Statement:
    """A second version, so that there is an earlier one to bring back."""
    from app.models import Action
    from app.revisions import update_with_revision

    return update_with_revision(
        session,
        statement,
        {"summary": "Said again, differently."},
        form_version=statement.version,
        action=Action.EDIT,
        user=system_user(session),
    )


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    shared = make_party(session, slug="mediator", name="Mediator")
    a = talks(session, default_negotiation(session), shared)
    b = talks(session, make_negotiation(session, slug="other-talks", title="Other talks"), shared)
    editor = make_user(session, email="scoped@example.org", display_name="Scoped Editor")
    editor = set_negotiations(
        session,
        editor,
        NegotiationGrant(all_negotiations=False, negotiation_ids=frozenset({a.negotiation.id})),
        form_version=editor.version,
        by=system_user(session),
    )
    session.commit()
    return {"a": a, "b": b, "editor": editor}


def first_revision(session: Session, entity: Any) -> int:
    revision_id = session.scalar(
        select(Revision.id)
        .where(Revision.entity_type == entity.ENTITY_TYPE, Revision.entity_id == entity.id)
        .order_by(Revision.version)
        .limit(1)
    )
    assert revision_id is not None
    return revision_id


def statement_form(t: Talks, **changes: str) -> dict[str, str]:
    values = {
        "party": str(t.party.id),
        "demand": str(t.demand.id),
        "source_url": f"https://news.example.org/{t.negotiation.slug}-story",
        **changes,
    }
    return new_statement(**values)


def proposal_posts(
    session: Session, t: Talks, name: str, path: Any
) -> list[tuple[str, dict[str, str]]]:
    """The proposal editor's forms (app/proposal_editor) for a proposal of the talks `t`."""
    slug = f"plan-{t.negotiation.slug}"
    if name == "add_proposal":
        return [
            (
                path(negotiation=t.negotiation.slug),
                {"title": "A new plan", "kind": "peace-plan", f"author_{t.party.id}": "1"},
            )
        ]
    proposal = session.scalar(select(Proposal).where(Proposal.slug == slug))
    if proposal is None:
        proposal = create_proposal(
            session,
            t.negotiation,
            ProposalFields(
                slug=slug,
                title="A plan",
                kind=ProposalKind.PEACE_PLAN,
                author_party_ids=[t.party.id],
            ),
            user=system_user(session),
        )
        session.commit()
    at = path(negotiation=t.negotiation.slug, slug=slug)
    if name == "edit_proposal":
        return [
            (at, {"title": "Renamed plan", "kind": "peace-plan", "version": str(proposal.version)})
        ]
    source = session.get_one(Source, t.statement.source_id)
    return [
        (
            at,
            {
                "label": "First draft",
                "issued_on": "2025-06",
                "status": "official",
                "source_url": source.url,
                "rows": "1",
                "p0_number": "1",
                "p0_text": "The parties agree.",
                "p0_demand": str(t.demand.id),
                "p0_stance": "2",
                "do": "save",
            },
        )
    ]


def posts(session: Session, t: Talks, route: Any, editor: User) -> list[tuple[str, dict[str, str]]]:
    """Every (path, form) the route takes for the talks `t`: what a browser would send."""
    name = route.name
    statement, demand = t.statement, t.demand

    def path(**values: Any) -> str:
        return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(values[m.group(1)]), route.path)

    if name == "add_statement":
        return [(path(), {**statement_form(t), "submission_key": "k" * 20 + t.negotiation.slug})]
    if name == "edit_statement":
        return [
            (
                path(statement_id=statement.id),
                {
                    **statement_form(t, summary="Edited."),
                    "version": str(statement.version),
                    # The form's facts differ from the stored ones: a correction (issue 19).
                    "correction_note": "the source and date were those of another story",
                },
            )
        ]
    if name == "retract":
        return [
            (
                path(statement_id=statement.id),
                {"reason": "Wrong source.", "version": str(statement.version)},
            )
        ]
    if name == "publish_statement":
        return [(path(statement_id=statement.id), {"version": str(statement.version)})]
    if name == "send_back_statement":
        return [
            (
                path(statement_id=statement.id),
                {"version": str(statement.version), "comment": "Check the date."},
            )
        ]
    if name == "restore_statement":
        return [(path(statement_id=t.retracted.id), {"version": str(t.retracted.version)})]
    if name == "bring_back_statement":
        return [
            (
                path(statement_id=statement.id, revision_id=first_revision(session, statement)),
                {"version": str(statement.version)},
            )
        ]
    if name == "move_demand":
        # The list's versions, as the demands page shows them.
        shown = ",".join(
            f"{d.id}:{d.version}"
            for d in session.scalars(
                select(Demand).where(Demand.negotiation_id == t.negotiation.id)
            )
        )
        return [
            (path(record_id=demand.id, direction=d), {"versions": shown}) for d in ("up", "down")
        ]
    records = {
        "demands": (demand, {"negotiation_id": str(t.negotiation.id), "title": "A new term"}),
        "negotiations": (
            t.negotiation,
            {"slug": t.negotiation.slug, "title": "Renamed talks", "status": "active"},
        ),
        "participations": (
            t.participation,
            {
                "negotiation_id": str(t.negotiation.id),
                "party_id": str(t.party.id),
                "role": "observer",
            },
        ),
    }
    if name == "create":
        # A participation is new only for a party not yet in the talks.
        newcomer = make_party(session)
        session.commit()
        forms = {k: dict(v[1]) for k, v in records.items()}
        forms["participations"]["party_id"] = str(newcomer.id)
        forms["negotiations"]["slug"] = f"{t.negotiation.slug}-2"
        return [(path(kind_slug=k), form) for k, form in forms.items()]
    if name == "edit":
        return [
            (path(kind_slug=k, record_id=r.id), {**form, "version": str(r.version)})
            for k, (r, form) in records.items()
        ]
    if name == "bring_back_record":
        return [
            (
                path(kind_slug=k, record_id=r.id, revision_id=first_revision(session, r)),
                {"version": str(r.version)},
            )
            for k, (r, _form) in records.items()
        ]
    if name in ("add_proposal", "edit_proposal", "post_version"):
        return proposal_posts(session, t, name, path)
    if name == "check_source_links":
        return [(path(), {})]
    if name == "add_webhook":
        return [(path(), {"url": "https://hooks.example.org/parley", "kind_shift": "1"})]
    if name == "webhook_replay":
        return [(path(endpoint_id=1), {})]
    if name in ADMIN_ROUTES:
        return [(path(user_id=editor.id), {"version": str(editor.version), "role": "admin"})]
    raise AssertionError(
        f"write route {name} ({route.path}) is not walked: add it to posts() or to EXEMPT"
    )


def write_routes(app: Any) -> list[Any]:
    return [
        route
        for route in app_routes(app.routes)
        if set(getattr(route, "methods", None) or ()) & UNSAFE_METHODS and route.name not in EXEMPT
    ]


def test_every_write_route_refuses_another_negotiation_and_changes_nothing(
    app, client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    log_in(client, world["editor"])
    token = csrf_of(client.get("/statements/new"))
    walked = set()
    for route in write_routes(app):
        for url, form in posts(session, world["b"], route, world["editor"]):
            before = counts(session)
            response = client.post(url, data={"csrf_token": token, **form}, follow_redirects=False)
            assert response.status_code == 403, (url, response.status_code, response.text[:500])
            assert counts(session) == before, url
            walked.add(route.name)
    # The walk saw the routes that matter (not an empty table).
    assert {"add_statement", "edit_statement", "create", "edit", "move_demand"} <= walked
    assert set(EXEMPT) <= {route.name for route in app_routes(app.routes)}


def test_the_refusal_says_why_and_shows_what_was_typed(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    log_in(client, world["editor"])
    token = csrf_of(client.get("/statements/new"))
    before = counts(session)
    response = client.post(
        "/statements/new",
        data={"csrf_token": token, **statement_form(world["b"], summary="Typed with care.")},
        follow_redirects=False,
    )
    assert response.status_code == 403
    page = parse(response)
    assert "Not one of your negotiations" in words(one(page, "h1"))
    assert "does not edit “Other talks”" in words(one(page, "[role=alert]"))
    assert "Typed with care." in [t.text for t in page.select("textarea")]
    # No "send again": it would be refused the same way.
    assert not page.select("form.editor-form button")
    assert counts(session) == before


def test_moving_a_statement_into_another_negotiation_is_refused(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """The negotiation a row WILL belong to counts, not only the one it is in."""
    a, b = world["a"], world["b"]
    log_in(client, world["editor"])
    token = csrf_of(client.get("/statements/new"))
    before = counts(session)
    statement = a.statement
    response = client.post(
        f"/statements/{statement.id}/edit",
        data={
            "csrf_token": token,
            **statement_form(b),
            "version": str(statement.version),
        },
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert counts(session) == before
    session.expire_all()
    assert session.get(Statement, statement.id).negotiation_id == a.negotiation.id
    # A demand of A moved to B through its own form: refused the same way.
    response = client.post(
        f"/edit/demands/{a.demand.id}",
        data={
            "csrf_token": token,
            "negotiation_id": str(b.negotiation.id),
            "title": "Moved away",
            "version": str(a.demand.version),
        },
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert counts(session) == before


def test_the_same_posts_for_the_editors_own_negotiation_go_through(
    app, client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    log_in(client, world["editor"])
    token = csrf_of(client.get("/statements/new"))
    a = world["a"]
    for route in write_routes(app):
        if route.name in ADMIN_ROUTES:
            continue
        for index in range(len(posts(session, a, route, world["editor"]))):
            # Made again before each post: the one before moved versions on.
            url, form = posts(session, a, route, world["editor"])[index]
            kind = url.split("/")[2] if url.startswith("/edit/") else None
            response = client.post(url, data={"csrf_token": token, **form}, follow_redirects=False)
            if kind in ("negotiations", "participations"):
                # The talks themselves are the admins', even the editor's own.
                assert response.status_code == 403, url
                continue
            assert response.status_code == 303, (url, response.status_code, response.text[:800])
            session.expire_all()
            for t in ("statement", "demand", "retracted"):
                setattr(a, t, session.get(type(getattr(a, t)), getattr(a, t).id))


def test_forms_offer_only_the_editors_negotiations(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    a, b = world["a"], world["b"]
    log_in(client, world["editor"])
    form = parse(client.get("/statements/new"))
    demands = {o["value"] for o in form.select("#demand option") if o["value"]}
    assert str(a.demand.id) in demands and str(b.demand.id) not in demands
    b_only = {str(p.party_id) for p in session.scalars(select(Participation))} - {
        str(p.party_id)
        for p in session.scalars(
            select(Participation).where(Participation.negotiation_id == a.negotiation.id)
        )
    }
    parties = {o["value"] for o in form.select("#party option") if o["value"]}
    assert not parties & b_only
    assert str(a.party.id) in parties
    catalog = parse(client.get("/edit/demands/new"))
    offered = {o["value"] for o in catalog.select("#negotiation_id option")}
    assert offered == {str(a.negotiation.id)}
    listed = {
        int(tr["data-id"]) for tr in parse(client.get("/edit/demands")).select("#records tbody tr")
    }
    assert a.demand.id in listed and b.demand.id not in listed
    # B's forms are not even shown.
    for url in (
        f"/statements/{b.statement.id}/edit",
        f"/statements/{b.statement.id}/retract",
        f"/edit/demands/{b.demand.id}",
    ):
        assert client.get(url).status_code == 403, url


def test_an_editor_with_no_negotiation_is_told_so(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    editor = world["editor"]
    set_negotiations(
        session,
        editor,
        NegotiationGrant(all_negotiations=False),
        form_version=editor.version,
        by=system_user(session),
    )
    session.commit()
    log_in(client, editor)
    for url in ("/statements/new", "/edit/demands/new"):
        page = parse(client.get(url))
        assert "edits no negotiation yet" in words(one(page, "#no-negotiation")), url
        assert not page.select("form.editor-form"), url


def test_a_new_demand_from_a_scoped_editors_statement_form_goes_into_their_negotiation(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """The shared party takes part in both talks; the editor edits only A: the new demand
    goes into A, the statement's negotiation."""
    a = world["a"]
    log_in(client, world["editor"])
    page = client.get("/statements/new")
    data = {
        "csrf_token": csrf_of(page),
        "submission_key": parse(page).select_one("input[name=submission_key]")["value"],
        **statement_form(a, demand="", new_demand_title="Prisoner exchange first"),
    }
    response = client.post("/statements/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    made = session.scalar(select(Demand).where(Demand.title == "Prisoner exchange first"))
    assert made is not None and made.negotiation_id == a.negotiation.id
    statement = session.scalar(select(Statement).where(Statement.demand_id == made.id))
    assert statement is not None and statement.negotiation_id == a.negotiation.id


def test_readers_pages_and_api_are_unaffected(client: TestClient, world: dict[str, Any]) -> None:
    b = world["b"]
    # Anonymous, and as the scoped editor: B's records read the same.
    anonymous = client.get(f"/statements/{b.statement.id}")
    api = client.get("/api/negotiations/other-talks")
    assert anonymous.status_code == 200 and api.status_code == 200
    log_in(client, world["editor"])
    page = client.get(f"/statements/{b.statement.id}")
    assert page.status_code == 200
    assert client.get("/api/negotiations/other-talks").json() == api.json()
    # Read like a reader's: no controls that would be refused.
    assert not parse(page).select(".editor-controls, form[action*='/bring-back/']")
    own = parse(client.get(f"/statements/{world['a'].statement.id}"))
    assert own.select(".editor-controls") and own.select("form[action*='/bring-back/']")


def _plan_of(session: Session, t: Talks, slug: str) -> Proposal:
    from app.models import VersionStatus
    from app.proposals.service import PointFields, VersionFields, add_version

    proposal = create_proposal(
        session,
        t.negotiation,
        ProposalFields(
            slug=slug,
            title=f"Plan {slug}",
            kind=ProposalKind.PEACE_PLAN,
            disputed_authorship="Said to be the mediator's.",
        ),
        user=system_user(session),
    )
    source = session.scalars(select(Source)).first()
    assert source is not None
    add_version(
        session,
        proposal,
        VersionFields(
            label="Draft",
            issued_on=t.statement.stated_on,
            status=VersionStatus.LEAKED,
            source_id=source.id,
            points=[PointFields(number="1", text="A point.")],
        ),
        user=system_user(session),
    )
    return proposal


def test_proposal_pages_link_to_the_editor_for_editors_of_those_talks_only(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """Issue 17: "Edit proposal" and "Add a version" on a proposal's page, for whoever edits
    its negotiation; the statement form's answers list offers those talks' plans alone."""
    a, b = world["a"], world["b"]
    mine = _plan_of(session, a, "plan-a")
    theirs = _plan_of(session, b, "plan-b")
    session.commit()
    page_a = f"/talks/{a.negotiation.slug}/proposals/{mine.slug}"
    page_b = f"/talks/{b.negotiation.slug}/proposals/{theirs.slug}"
    # A reader sees no editor links (and the page sets no cookie).
    reader = client.get(page_a)
    assert not parse(reader).select("#editor-links") and "set-cookie" not in reader.headers
    log_in(client, world["editor"])
    links = {a_["href"] for a_ in parse(client.get(page_a)).select("#editor-links a[href]")}
    assert f"{page_a}/edit" in links and f"{page_a}/versions/new" in links
    for href in links:
        assert client.get(href).status_code == 200, href
    assert not parse(client.get(page_b)).select("#editor-links")
    assert client.get(f"{page_b}/edit").status_code == 403
    # The version page too.
    assert parse(client.get(f"{page_a}/versions/draft")).select("#editor-links")
    answers = {
        o["value"]
        for o in parse(client.get("/statements/new")).select("#answers option")
        if o["value"]
    }
    from app.models import ProposalVersion

    theirs_version = session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == theirs.id)
    ).one()
    assert f"version:{theirs_version.id}" not in answers
    mine_version = session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == mine.id)
    ).one()
    assert f"version:{mine_version.id}" in answers
