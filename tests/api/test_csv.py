"""`/api/statements.csv`: the JSON's rows as CSV, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import asyncio
import csv
import io
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

from app.api.csv_export import COLUMNS, neutralise, statement_csv
from app.caching import ConditionalGetMiddleware, RenderCache
from app.timeline.queries import TimelineFilters
from tests.api.test_resources import walk
from tests.factories import make_party, make_source, make_statement


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_is_an_attachment_with_a_header_row(client) -> None:
    response = client.get("/api/statements.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == "attachment; filename=parley-statements.csv"
    assert next(csv.reader(io.StringIO(response.text))) == list(COLUMNS)


def test_csv_rows_match_the_json_rows(client) -> None:
    for query in ("", "party=russia", "from=2024-01-01&stance=rejects"):
        rows = parse_csv(client.get(f"/api/statements.csv?{query}").text)
        items = walk(client, f"/api/statements?{query}&limit=3")
        assert rows, query
        assert [
            (
                int(row["id"]),
                row["party"],
                row["demand"],
                int(row["stance"]),
                row["stance_label"],
                row["stated"],
                row["stated_on"],
                row["precision"],
                row["speaker"] or None,
                row["summary"],
                int(row["source_id"]),
                row["source_url"],
                row["url"],
            )
            for row in rows
        ] == [
            (
                item["id"],
                item["party"]["slug"],
                item["demand"]["slug"],
                item["stance"]["value"],
                item["stance"]["label"],
                item["stated"]["iso"],
                item["stated"]["date"],
                item["stated"]["precision"],
                item["speaker"],
                item["summary"],
                item["source"]["id"],
                item["source"]["source_url"],
                item["url"],
            )
            for item in items
        ]


def test_csv_neutralises_spreadsheet_formulas(client, session) -> None:
    party = make_party(session)
    source = make_source(session, title="@SUM(A1)", publisher="+cmd")
    make_statement(
        session, party=party, source=source, summary="=1+1", speaker="-2+3", quote="@mention"
    )
    session.commit()
    rows = parse_csv(client.get(f"/api/statements.csv?party={party.slug}").text)
    assert len(rows) == 1
    row = rows[0]
    assert row["summary"] == "'=1+1"
    assert row["speaker"] == "'-2+3"
    assert row["quote"] == "'@mention"
    assert row["source_title"] == "'@SUM(A1)"
    assert row["publisher"] == "'+cmd"
    assert row["stance"] == "1"  # numbers we write ourselves are left alone
    assert (
        neutralise(-1) == -1
        and neutralise("\rx") == "'\rx"
        and neutralise("\tx") == "'\tx"
        and neutralise("ok") == "ok"
    )


def test_csv_streams_in_batches_from_its_own_session(app, session) -> None:
    party = make_party(session)
    made = {make_statement(session, party=party).id for _ in range(7)}
    session.commit()
    chunks = list(statement_csv(app.state.sessionmaker, TimelineFilters(party=party), batch=3))
    # The header, then one chunk per batch of 3 (7 rows: 3 + 3 + 1): never the whole at once.
    assert len(chunks) == 4
    rows = parse_csv(b"".join(chunks).decode())
    assert {int(row["id"]) for row in rows} == made


def test_csv_takes_the_same_filters_and_refuses_bad_ones(client) -> None:
    response = client.get("/api/statements.csv?party=atlantis")
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "party"
    assert client.get("/api/statements.csv?limit=5").status_code == 400  # no paging here


def test_head_answers_without_streaming_the_export(client) -> None:
    response = client.head("/api/statements.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content == b""


def test_conditional_get_passes_a_large_stream_through_without_keeping_it(app) -> None:
    """A streamed export bigger than the render cache's limit is forwarded chunk by chunk and
    never collected (the middleware used to hold every chunk until the end)."""
    chunk = b"x" * (RenderCache.MAX_BODY // 2 + 1)
    forwarded: list[int] = []

    async def stream(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(3):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    cache = RenderCache(max_bytes=8)
    middleware = ConditionalGetMiddleware(
        stream,
        version=app.state.data_version,
        session_cookie="s",
        render_cache=cache,
        is_reader=lambda scope: True,
    )

    async def run() -> None:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/api/statements.csv",
            "query_string": b"",
            "headers": [],
        }

        async def send(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.body":
                forwarded.append(len(message.get("body", b"")))
            else:
                assert (b"etag" in dict(message["headers"])) is True

        await middleware(scope, None, send)  # type: ignore[arg-type]

    tracemalloc.start()
    try:
        with ThreadPoolExecutor(1) as pool:  # the browser tests' Playwright may own this loop
            pool.submit(asyncio.run, run()).result()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert forwarded == [len(chunk)] * 3 + [0]
    # Joining the chunks to cache them would have allocated the whole 1.5 MB body at once.
    assert peak < RenderCache.MAX_BODY
    assert len(cache._entries) == 0


def test_statements_added_during_an_export_are_left_out_and_none_repeats(app, session) -> None:
    """Chunks are separate transactions: the export fixes its last id at the start, so a row
    added meanwhile (even one dated at the top of the order) neither appears nor shifts others."""
    party = make_party(session)
    made = [make_statement(session, party=party) for _ in range(7)]
    session.commit()
    export = statement_csv(app.state.sessionmaker, TimelineFilters(party=party), batch=3)
    header, first = next(export), next(export)
    late = make_statement(session, party=party, stated_on=made[0].stated_on)
    session.commit()
    rows = parse_csv(b"".join([header, first, *export]).decode())
    ids = [int(row["id"]) for row in rows]
    assert sorted(ids) == sorted(statement.id for statement in made)
    assert late.id not in ids


def test_exports_beyond_the_cap_get_429_with_retry_after(client, app) -> None:
    slots = app.state.export_slots
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        refused = client.get("/api/statements.csv")
    finally:
        for _ in range(taken):
            slots.release()
    assert taken == app.state.settings.max_concurrent_exports
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) > 0
    # The slot comes back once a stream is done: the next export runs.
    assert client.get("/api/statements.csv").status_code == 200
