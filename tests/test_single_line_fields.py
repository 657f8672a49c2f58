"""Names, titles, slugs and speakers are single lines of plain text (issue 13, item 11).

Invisible bidi controls reorder what a reader sees ("Ukraine\u202e" makes what follows run
right to left; "\u202egnp.exe" shows as "exe.png"), so every single-line field refuses them,
with the other C0/C1 controls, in the shared field type: the forms say so beside the field
and keep what was typed, and the services refuse them for any other way in.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.demands.service import DemandFields
from app.parties.service import PartyFields
from app.sources.service import SourceFields
from app.statements.service import StatementFields
from app.users.service import UserFields
from tests.editors import counts, form_fields
from tests.factories import make_demand, make_party, make_source, make_statement
from tests.html import parse
from tests.test_headers_everywhere import assert_security_headers

# Right-to-left override, its pop, the embeddings and isolates, and C0/C1 controls.
REFUSED = [
    "\u202e",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\t",
    "\n",
    "\x1b",
    "\x85",
    "\x9b",
]


def _pages(session: Session) -> list[tuple[str, list[str]]]:
    party, demand, source = make_party(session), make_demand(session), make_source(session)
    statement = make_statement(session)
    session.commit()
    return [
        (f"/edit/parties/{party.id}", ["name", "short_name", "slug"]),
        (f"/edit/demands/{demand.id}", ["title", "slug"]),
        (f"/edit/sources/{source.id}", ["title", "publisher"]),
        (f"/statements/{statement.id}/edit", ["speaker"]),
        ("/admin/users/new", ["display_name"]),
    ]


def test_single_line_fields_refuse_bidi_and_control_characters_in_every_form(
    admin_client, session: Session
) -> None:
    failures = []
    for url, names in _pages(session):
        for name in names:
            for character in REFUSED:
                fields = form_fields(admin_client.get(url))
                if url == "/admin/users/new":
                    fields.update(email="new@example.org", password="a long enough password")
                typed = f"Ukraine{character}txt.exe"
                fields[name] = typed
                before = counts(session)
                response = admin_client.post(url, data=fields, follow_redirects=False)
                assert counts(session) == before, (url, name, repr(character))
                assert_security_headers(response.headers)
                where = f"{url} {name} {character!r}"
                if response.status_code != 422:
                    failures.append(f"{where}: {response.status_code}")
                    continue
                page = parse(response)
                error = page.select_one(f"#{name}-error")
                if error is None or "direction marks" not in error.get_text():
                    failures.append(f"{where}: message {error and error.get_text()!r}")
                field = page.select_one(f"[name={name}]")
                if field is None or field.get("value") != typed.strip():
                    failures.append(f"{where}: the typed text is not kept")
    assert not failures, "\n".join(failures)


def test_a_summary_keeps_its_line_breaks(editor_client, session: Session) -> None:
    """Multi-line text is not a single line: its line breaks (and tabs) stay allowed."""
    url = f"/statements/{make_statement(session).id}/edit"
    session.commit()
    fields = form_fields(editor_client.get(url))
    fields["summary"] = "First line.\nSecond line,\tindented."
    response = editor_client.post(url, data=fields, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\x85", "\n"])
def test_the_services_refuse_them_for_every_other_way_in(character: str) -> None:
    line = f"Evil{character}Corp"
    party = {"slug": "p", "name": "P", "short_name": "P", "kind": "state", "colour": "#336699"}
    cases = [
        (PartyFields, {**party, "name": line}),
        (PartyFields, {**party, "short_name": line}),
        (DemandFields, {"slug": "d", "title": line}),
        (
            SourceFields,
            {"url": "https://example.org/s", "title": line, "publisher": "X"},
        ),
        (
            SourceFields,
            {"url": "https://example.org/s", "title": "T", "publisher": line},
        ),
        (
            StatementFields,
            {"stance": 1, "stated_on": "2025-01-01", "summary": "S", "speaker": line},
        ),
        (UserFields, {"email": "a@example.org", "display_name": line, "role": "editor"}),
    ]
    for model, values in cases:
        with pytest.raises(ValidationError, match="direction marks"):
            model(**values)
