"""Issue 18 item 5, the editors' and data users' side: a source's archived copy set and edited
on the source form (http(s) only, refused clearly otherwise), and the last link check in the
API's source answers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import Revision, Source, SourceLinkCheck
from tests.editors import counts, form_fields, post_form
from tests.factories import make_source
from tests.html import one, parse, words

ARCHIVED = "https://web.archive.org/web/20250101000000/https://news.example.org/story"


def test_an_editor_sets_edits_and_clears_the_archived_copy(editor_client, session) -> None:
    source = make_source(session)
    session.commit()
    url = f"/edit/sources/{source.id}"
    form = parse(editor_client.get(url))
    field = one(form, "input[name=archive_url]")
    assert field.get("required") is None and field["value"] == ""
    assert "Archived copy" in words(one(form, "label[for=archive_url]"))
    assert post_form(editor_client, url, url, {"archive_url": ARCHIVED}).status_code == 303
    session.expire_all()
    assert session.get(Source, source.id).archive_url == ARCHIVED
    # The edit form shows it, the revision holds it, the statement page links it.
    assert one(parse(editor_client.get(url)), "input[name=archive_url]")["value"] == ARCHIVED
    snapshot = session.scalars(
        select(Revision.snapshot)
        .where(Revision.entity_type == "source", Revision.entity_id == source.id)
        .order_by(Revision.version.desc())
    ).first()
    assert snapshot["archive_url"] == ARCHIVED
    # A scheme in capitals is stored in lower case, as the source URL's is.
    upper = "HTTP://archive.example.org/copy"
    assert post_form(editor_client, url, url, {"archive_url": upper}).status_code == 303
    session.expire_all()
    assert session.get(Source, source.id).archive_url == "http://archive.example.org/copy"
    # Emptied: no archived copy.
    assert post_form(editor_client, url, url, {"archive_url": "  "}).status_code == 303
    session.expire_all()
    assert session.get(Source, source.id).archive_url is None


def test_a_new_source_may_come_with_its_archived_copy(editor_client, session) -> None:
    created = post_form(
        editor_client,
        "/edit/sources/new",
        "/edit/sources/new",
        {
            "url": "https://news.example.org/archived-at-birth",
            "title": "Archived at birth",
            "publisher": "Example News",
            "archive_url": ARCHIVED,
        },
    )
    assert created.status_code == 303, created.text
    stored = session.scalar(
        select(Source).where(Source.url == "https://news.example.org/archived-at-birth")
    )
    assert stored is not None and stored.archive_url == ARCHIVED


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "ftp://archive.example.org/copy",
        "https://",
        "https:///path",
        "https://archive.example.org/a copy",
        "https://archive.example.org/\x00",
        "https://archive.example.org/" + "9" * 5000,
        "web.archive.org/copy",
    ],
)
def test_an_archived_copy_that_is_not_a_web_address_is_refused(
    editor_client, session, bad: str
) -> None:
    source = make_source(session, archive_url=ARCHIVED)
    session.commit()
    url = f"/edit/sources/{source.id}"
    before = counts(session)
    response = post_form(editor_client, url, url, {"archive_url": bad})
    assert response.status_code == 422, bad
    message = words(one(parse(response), "#archive_url-error"))
    assert message, bad
    assert counts(session) == before
    session.expire_all()
    stored = session.get(Source, source.id)
    assert (stored.archive_url, stored.version) == (ARCHIVED, 1)


def test_a_stale_archive_edit_is_a_conflict_not_an_overwrite(editor_client, session) -> None:
    source = make_source(session)
    session.commit()
    url = f"/edit/sources/{source.id}"
    loaded = form_fields(editor_client.get(url))  # at version 1
    assert post_form(editor_client, url, url, {"title": "Retitled"}).status_code == 303
    response = editor_client.post(
        url, data={**loaded, "archive_url": ARCHIVED}, follow_redirects=False
    )
    assert response.status_code == 409
    session.expire_all()
    stored = session.get(Source, source.id)
    assert (stored.archive_url, stored.title, stored.version) == (None, "Retitled", 2)


def _checked(session, source: Source, outcome: str, status: int | None, detail: str) -> None:  # type: ignore[no-untyped-def]
    # The checker's own table (an observation, not an edit): tests/sources/test_link_check.py
    # runs the real checker against a local server; here only what the API says of its row.
    session.add(
        SourceLinkCheck(
            source_id=source.id,
            outcome=outcome,
            status_code=status,
            detail=detail,
            checked_at=dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC),
        )
    )
    session.commit()


def test_the_api_gives_each_sources_last_link_check(client, session) -> None:
    broken = make_source(session, archive_url=ARCHIVED)
    fine = make_source(session)
    never = make_source(session, archive_url=ARCHIVED)
    session.commit()
    _checked(session, broken, "broken", 404, "404 Not Found")
    _checked(session, fine, "ok", 200, "200 OK")
    one_source = client.get(f"/api/sources/{broken.id}").json()
    assert one_source["link_check"] == {
        "checked_at": "2025-06-01T12:00:00Z",
        "outcome": "broken",
        "status_code": 404,
        "detail": "404 Not Found",
        "broken": True,
    }
    assert one_source["archive_url"] == ARCHIVED
    assert one_source["read_at"] == ARCHIVED  # broken, and there is a copy
    items = {i["id"]: i for i in client.get("/api/sources?limit=500").json()["items"]}
    assert items[fine.id]["link_check"]["outcome"] == "ok"
    assert items[fine.id]["read_at"] == fine.url
    assert items[never.id]["link_check"] is None
    assert items[never.id]["read_at"] == never.url  # never checked: not known to be broken


def test_the_openapi_document_describes_the_link_check(client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("SourceWithCheck", "LinkCheckOut"):
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description") or "$ref" in spec or "anyOf" in spec, (name, field)
    assert set(schemas["LinkCheckOut"]["required"]) == {
        "checked_at",
        "outcome",
        "status_code",
        "detail",
        "broken",
    }
    assert {"link_check", "read_at"} <= set(schemas["SourceWithCheck"]["required"])
    paths = client.get("/openapi.json").json()["paths"]
    answer = paths["/api/sources/{source_id}"]["get"]["responses"]["200"]["content"]
    assert answer["application/json"]["schema"]["$ref"].endswith("/SourceWithCheck")
