"""`/api/statements.csv`: the JSON's rows as CSV, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from app.api.csv_export import COLUMNS, neutralise, statement_csv
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
