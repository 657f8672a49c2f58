"""The admin chooses the negotiations an editor edits: every one, or those ticked (issue 16)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Revision, User
from app.users.service import user_by_email
from tests.editors import counts, form_fields, post_form
from tests.factories import PASSWORD, default_negotiation, make_negotiation
from tests.html import one, parse, words

GRANT_FORM = "form[action$='/negotiations']"


def user_url(user: User) -> str:
    return f"/admin/users/{user.id}"


def grant_post(admin_client, user: User, changes: dict[str, str], *, drop: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """The grant form as the page renders it, changed as a browser (or a forger) would."""
    page = admin_client.get(user_url(user))
    data = {**form_fields(page, GRANT_FORM), **changes}
    for name in drop:
        data.pop(name, None)
    return admin_client.post(f"{user_url(user)}/negotiations", data=data, follow_redirects=False)


def test_existing_editors_edit_every_negotiation(admin_client, editor: User) -> None:
    assert editor.all_negotiations and editor.edits_every_negotiation
    page = parse(admin_client.get(user_url(editor)))
    assert one(page, "#negotiations-all").has_attr("checked")
    assert words(one(page, "#account-negotiations")) == "every one"


def test_an_admin_narrows_an_editor_to_one_negotiation_with_a_revision(
    admin_client, session: Session, editor: User
) -> None:
    demo = default_negotiation(session)
    other = make_negotiation(session, slug="sudan", title="Sudan talks")
    session.commit()
    response = grant_post(
        admin_client,
        editor,
        {"negotiations_scope": "named", f"negotiation_{other.id}": "1"},
    )
    assert response.status_code == 303, response.text
    session.expire_all()
    stored = session.get(User, editor.id)
    assert not stored.all_negotiations
    assert [n.id for n in stored.granted] == [other.id]
    assert stored.may_edit_negotiation(other.id) and not stored.may_edit_negotiation(demo.id)
    # The change is a revision of the account, named in words on its page.
    revision = session.scalars(
        select(Revision)
        .where(Revision.entity_type == "user", Revision.entity_id == editor.id)
        .order_by(Revision.version.desc())
        .limit(1)
    ).one()
    assert revision.reason == "negotiations changed"
    assert revision.snapshot["all_negotiations"] is False
    assert revision.snapshot["negotiations"] == "Sudan talks"
    page = parse(admin_client.get(user_url(editor)))
    assert words(one(page, "#account-negotiations")) == "Sudan talks"
    assert one(page, f"#negotiation-{other.id}").has_attr("checked")
    latest = page.select("#history li")[0]
    assert "Sudan talks" in words(one(latest, "[data-field=negotiations] .diff__after"))
    assert words(one(latest, "[data-field=all_negotiations] .diff__after")) == "no"
    listed = one(parse(admin_client.get("/admin/users")), "tr[data-email='ed@example.org']")
    assert words(one(listed, ".account-negotiations")) == "Sudan talks"
    # And back to every negotiation: the ticks are dropped.
    response = grant_post(admin_client, editor, {"negotiations_scope": "all"})
    assert response.status_code == 303
    session.expire_all()
    stored = session.get(User, editor.id)
    assert stored.all_negotiations and stored.granted == []


@pytest.mark.parametrize(
    ("changes", "drop", "message"),
    [
        ({"negotiations_scope": "named", "negotiation_999999": "1"}, (), "no negotiation #999999"),
        ({"negotiations_scope": "named", "negotiation_" + "9" * 5000: "1"}, (), "not one of"),
        ({"negotiations_scope": "named", "negotiation_-1": "1"}, (), "not one of"),
        ({"negotiations_scope": "named", "negotiation_1": "yes"}, (), "not one of"),
        ({"negotiations_scope": "everything"}, (), "Choose “Every negotiation”"),
        ({}, ("negotiations_scope",), "Choose “Every negotiation”"),
    ],
)
def test_bad_grant_posts_are_refused_on_the_page_and_change_nothing(
    admin_client, session: Session, editor: User, changes, drop, message: str
) -> None:
    default_negotiation(session)
    session.commit()
    before = counts(session)
    version = session.get(User, editor.id).version
    response = grant_post(admin_client, editor, changes, drop=drop)
    assert response.status_code == 422
    page = parse(response)
    assert message in words(one(page, "#negotiations-error"))
    assert one(page, "#negotiations")["aria-invalid"] == "true"
    # The 5,000-digit id is not echoed back anywhere.
    assert "9" * 100 not in response.text
    assert counts(session) == before
    session.expire_all()
    stored = session.get(User, editor.id)
    assert stored.version == version and stored.all_negotiations


def test_a_stale_grant_form_loses(admin_client, session: Session, editor: User) -> None:
    other = make_negotiation(session, slug="sudan", title="Sudan talks")
    session.commit()
    page = admin_client.get(user_url(editor))
    data = {**form_fields(page, GRANT_FORM), "negotiations_scope": "named"}
    # Someone else changes the account first.
    assert grant_post(admin_client, editor, {"negotiations_scope": "named"}).status_code == 303
    before = counts(session)
    data[f"negotiation_{other.id}"] = "1"
    response = admin_client.post(
        f"{user_url(editor)}/negotiations", data=data, follow_redirects=False
    )
    assert response.status_code == 409
    assert counts(session) == before
    session.expire_all()
    assert session.get(User, editor.id).granted == []


def test_a_new_account_is_made_with_named_negotiations(admin_client, session: Session) -> None:
    other = make_negotiation(session, slug="sudan", title="Sudan talks")
    session.commit()
    page = parse(admin_client.get("/admin/users/new"))
    # Every negotiation is the starting choice (what editors have always had).
    assert one(page, "#negotiations-all").has_attr("checked")
    response = post_form(
        admin_client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "email": "scoped@example.org",
            "display_name": "Scoped",
            "password": PASSWORD,
            "negotiations_scope": "named",
            f"negotiation_{other.id}": "1",
        },
    )
    assert response.status_code == 303, response.text
    user = user_by_email(session, "scoped@example.org")
    assert user is not None and not user.all_negotiations
    assert [n.id for n in user.granted] == [other.id]
    created = session.scalars(
        select(Revision).where(Revision.entity_type == "user", Revision.entity_id == user.id)
    ).one()
    assert created.snapshot["negotiations"] == "Sudan talks"
    # A forged tick on the new form: the whole account is refused, with the message.
    before = counts(session)
    refused = post_form(
        admin_client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "email": "forged@example.org",
            "display_name": "Forged",
            "password": PASSWORD,
            "negotiations_scope": "named",
            "negotiation_424242": "1",
        },
    )
    assert refused.status_code == 422
    assert "no negotiation #424242" in words(one(parse(refused), "#negotiations-error"))
    # What was chosen is still chosen.
    assert one(parse(refused), "#negotiations-named").has_attr("checked")
    assert counts(session) == before


def test_an_editor_cannot_change_grants(editor_client, session: Session, editor: User) -> None:
    token = form_fields(editor_client.get("/statements/new"))["csrf_token"]
    before = counts(session)
    response = editor_client.post(
        f"/admin/users/{editor.id}/negotiations",
        data={"csrf_token": token, "version": str(editor.version), "negotiations_scope": "all"},
    )
    assert response.status_code == 403
    assert counts(session) == before
