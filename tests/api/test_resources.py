"""The JSON API's shapes and filters, on the demo data and on rows built in the test."""

from __future__ import annotations

import datetime as dt

import pytest

from app.dates import DatePrecision
from app.models import Action, Role, User
from app.models.base import utcnow
from app.revisions import record_revision
from app.stances import Stance
from tests.factories import make_demand, make_party, make_source, make_statement

TALKS = "/api/negotiations/russia-ukraine"


def walk(client, url: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every item of a paginated list, following `next` links to the end."""
    items: list[dict] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        next_url = body["next"]
    return items


def test_statement_carries_dates_with_precision_stance_value_and_label_and_links(client) -> None:
    body = client.get("/api/statements/1").json()
    assert body["stated"] == {
        "date": "2022-01-01",
        "precision": "year",
        "iso": "2022",
        "text": "2022",
    }
    assert body["stance"] == {"value": 2, "label": "insists", "slug": "insists"}
    assert body["url"] == "/statements/1"
    assert body["api_url"] == "/api/statements/1"
    assert body["party"]["url"] == f"/parties/{body['party']['slug']}"
    assert body["source"]["url"] == f"/sources/{body['source']['id']}"
    assert body["source"]["source_url"].startswith("https://")
    assert body["retraction"] is None


def test_month_precision_is_shown_to_the_month_only(client, session) -> None:
    statement = make_statement(
        session, stated_on=dt.date(2024, 6, 1), stated_on_precision=DatePrecision.MONTH
    )
    session.commit()
    stated = client.get(f"/api/statements/{statement.id}").json()["stated"]
    assert stated == {
        "date": "2024-06-01",
        "precision": "month",
        "iso": "2024-06",
        "text": "June 2024",
    }


@pytest.mark.parametrize("limit", [1, 5, 500])
def test_keyset_pages_walk_every_statement_once_newest_first(client, limit: int) -> None:
    items = walk(client, f"/api/statements?limit={limit}")
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 18  # the demo's statements, none retracted
    keys = [(item["stated"]["date"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)


def test_next_link_keeps_the_filters(client) -> None:
    body = client.get("/api/statements?party=russia&limit=2").json()
    assert body["next"].startswith("/api/statements?party=russia&limit=2&cursor=")
    russia = walk(client, "/api/statements?party=russia&limit=2")
    assert {item["party"]["slug"] for item in russia} == {"russia"}
    assert len(russia) == len(walk(client, "/api/statements?party=russia"))


def test_statements_filter_by_party_demand_stance_dates_and_source(client, session) -> None:
    party, demand, source = make_party(session), make_demand(session), make_source(session)
    kept = make_statement(
        session,
        party=party,
        demand=demand,
        source=source,
        stance=Stance.RED_LINE,
        stated_on=dt.date(2024, 3, 5),
    )
    make_statement(session, party=party, demand=demand, source=source, stance=Stance.ACCEPTS)
    make_statement(
        session, party=party, demand=demand, stance=Stance.RED_LINE, stated_on=dt.date(2023, 1, 1)
    )
    session.commit()

    def ids(query: str) -> set[int]:
        return {item["id"] for item in walk(client, f"/api/statements?{query}")}

    assert len(ids(f"party={party.slug}")) == 3
    assert len(ids(f"demand={demand.slug}")) == 3
    assert ids(f"party={party.slug}&stance=red-line&source={source.id}") == {kept.id}
    assert ids(f"party={party.slug}&stance=-2&from=2024-01-01&to=2024-12-31") == {kept.id}
    assert all(
        item["stance"]["value"] == -2 for item in walk(client, "/api/statements?stance=red-line")
    )
    early = walk(client, "/api/statements?from=2022-01-01&to=2024-12-31")
    assert early and all("2022" <= item["stated"]["date"] <= "2024-12-31" for item in early)


def test_retracted_statements_are_listed_only_when_asked(client, session) -> None:
    party = make_party(session)
    statement = make_statement(session, party=party)
    statement.retracted_at = utcnow()
    statement.retraction_reason = "Misattributed."
    session.commit()
    assert walk(client, f"/api/statements?party={party.slug}") == []
    listed = walk(client, f"/api/statements?party={party.slug}&include_retracted=true")
    assert [item["id"] for item in listed] == [statement.id]
    assert listed[0]["retraction"]["reason"] == "Misattributed."


def test_parties_demands_and_sources_by_slug_or_id(client) -> None:
    parties = client.get("/api/parties").json()["items"]
    assert [p["name"] for p in parties] == sorted(p["name"] for p in parties)
    russia = client.get("/api/parties/russia").json()
    assert (
        russia["slug"] == "russia"
        and russia["kind"] == "state"
        and russia["url"] == ("/parties/russia")
    )
    demands = client.get("/api/demands").json()["items"]
    assert [d["display_order"] for d in demands] == sorted(d["display_order"] for d in demands)
    first = client.get(f"/api/demands/{demands[0]['slug']}").json()
    assert first == demands[0]
    source = client.get("/api/sources/1").json()
    assert source["id"] == 1 and source["published"]["precision"] in {"day", "month", "year"}


def test_sources_page_newest_first_without_repeats(client, session) -> None:
    made = [make_source(session).id for _ in range(4)]
    session.commit()
    ids = [item["id"] for item in walk(client, "/api/sources?limit=2")]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == len(set(ids)) and set(made) <= set(ids)


def edit(session, record, editor: User, **changes) -> None:  # type: ignore[no-untyped-def]
    """An accepted edit as the write path records it: the row, its version, its revision."""
    for name, value in changes.items():
        setattr(record, name, value)
    record.version += 1
    session.flush()
    record_revision(session, record, action=Action.EDIT, user=editor)


def test_revisions_newest_first_paginated_without_password_hashes(client, session) -> None:
    editor = User(
        email="editor@example.org",
        display_name="Ed Itor",
        password_hash="$argon2id$v=19$secret-hash",
        role=Role.EDITOR.value,
    )
    session.add(editor)
    statement = make_statement(session)
    for n in range(3):
        edit(session, statement, editor, summary=f"Summary, take {n}.")
    party = make_party(session)
    edit(session, party, editor, name="Renamed party")
    session.commit()

    revisions = walk(client, f"/api/statements/{statement.id}/revisions?limit=1")
    assert [r["version"] for r in revisions] == [4, 3, 2, 1]
    assert [r["action"] for r in revisions] == ["edit", "edit", "edit", "create"]
    assert revisions[0]["snapshot"]["summary"] == "Summary, take 2."
    assert revisions[0]["author"] == {"display_name": "Ed Itor"}
    assert all(r["entity_type"] == "statement" for r in revisions)
    text = client.get(f"/api/statements/{statement.id}/revisions").text
    assert "argon2" not in text and "editor@example.org" not in text

    party_revisions = walk(client, f"/api/parties/{party.slug}/revisions")
    assert [r["action"] for r in party_revisions] == ["edit", "create"]
    assert party_revisions[0]["snapshot"]["name"] == "Renamed party"
    demand = client.get("/api/demands").json()["items"][0]
    assert walk(client, f"/api/demands/{demand['slug']}/revisions")[0]["entity_id"] == demand["id"]
    assert walk(client, "/api/sources/1/revisions")[-1]["action"] == "create"


def test_matrix_as_of_a_date_with_changes_since(client) -> None:
    body = client.get(f"{TALKS}/matrix?as_of=2025-01-31&since=2024-01-01").json()
    assert body["as_of"] == "2025-01-31" and body["since"] == "2024-01-01"
    slugs = [party["slug"] for party in body["parties"]]
    for row in body["rows"]:
        assert [cell["party"] for cell in row["cells"]] == slugs
        for cell in row["cells"]:
            if cell["statement"] is None:
                assert cell["stance"] is None
            else:
                assert cell["statement"]["url"] == f"/statements/{cell['statement']['id']}"
                assert cell["statement"]["stated"]["date"] <= "2025-01-31"
            previous = cell["previous_stance"]["value"] if cell["previous_stance"] else None
            current = cell["stance"]["value"] if cell["stance"] else None
            assert cell["changed"] == (previous != current)
    assert any(cell["changed"] for row in body["rows"] for cell in row["cells"])
    # Before anything was said, no cell has a position.
    empty = client.get(f"{TALKS}/matrix?as_of=2000-01-01").json()
    assert all(cell["stance"] is None for row in empty["rows"] for cell in row["cells"])


def test_gaps_between_parties_follow_the_matrix(client) -> None:
    matrix = client.get(f"{TALKS}/matrix?as_of=2025-01-31").json()
    column = {party["slug"]: i for i, party in enumerate(matrix["parties"])}
    body = client.get(f"{TALKS}/gaps?parties=ukraine,russia&as_of=2025-01-31").json()
    assert [p["slug"] for p in body["parties"]] == ["ukraine", "russia"]
    assert len(body["rows"]) == len(matrix["rows"])
    for row, matrix_row in zip(body["rows"], matrix["rows"], strict=True):
        assert row["demand"] == matrix_row["demand"]
        stances = [matrix_row["cells"][column[slug]]["stance"] for slug in ("ukraine", "russia")]
        assert [p["stance"] for p in row["positions"]] == stances
        if None in stances:
            assert row["gap"] is None
        else:
            assert row["gap"] == abs(stances[0]["value"] - stances[1]["value"])
    assert any(row["gap"] is not None for row in body["rows"])
    three = client.get(f"{TALKS}/gaps?parties=ukraine,russia,united-states&as_of=2025-01-31").json()
    assert [len(row["positions"]) for row in three["rows"]] == [3] * len(matrix["rows"])
