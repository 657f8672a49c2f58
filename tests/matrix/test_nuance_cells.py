"""Matrix cells, the API and the CSV say partial, conditional, either-or and off-scale in words
(issue 18), for the same number of queries whatever the data."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy.orm import Session

from app.models import Demand, Statement, StatementCondition
from app.stances import Stance
from tests.factories import make_party, make_statement
from tests.html import one, parse, words


def _nuanced(session: Session) -> tuple[str, Statement, Statement, Statement]:
    party = make_party(session, slug="nuanced", short_name="Nu")
    demands = session.query(Demand).filter(Demand.negotiation_id == 1).order_by(Demand.id).all()
    day = dt.date(2025, 1, 10)
    make_statement(session, party=party, demand=demands[0], stance=Stance.REJECTS, stated_on=day)
    partial = make_statement(
        session,
        party=party,
        demand=demands[0],
        stance=Stance.OPEN,
        partial=True,
        scope_note="local, 2–3 days, to collect the dead",
        stated_on=day + dt.timedelta(days=5),
    )
    session.add(
        StatementCondition(
            statement_id=partial.id,
            negotiation_id=partial.negotiation_id,
            demand_id=demands[1].id,
            note="only if prisoners are exchanged",
        )
    )
    option = make_statement(
        session,
        party=party,
        demand=demands[1],
        stance=Stance.ACCEPTS,
        stated_on=day + dt.timedelta(days=5),
        alternative_to_id=None,
    )
    declined = make_statement(
        session,
        party=party,
        demand=demands[2],
        stance=None,
        off_scale="declined",
        stated_on=day + dt.timedelta(days=5),
        summary="Illustration: declined to comment.",
    )
    session.flush()
    option.alternative_to_id = partial.id
    session.commit()
    return party.slug, partial, option, declined


def test_cells_say_partial_conditional_offer_and_off_scale_in_words(client, session) -> None:
    slug, _partial, _option, _declined = _nuanced(session)
    page = parse(client.get("/talks/russia-ukraine?as_of=2025-02-01&since=2025-01-12"))
    cells = page.select(f'#matrix td[data-party="{slug}"]')
    by_id = {c["data-demand"]: c for c in cells}
    first = next(c for c in cells if "partial" in words(c))
    assert "open / conditional" in words(first)
    assert "partial" in words(first) and "only if" in words(first) and "either-or" in words(first)
    assert "local, 2–3 days" in words(first)
    # The shift from rejects says the new stance is partial, in words.
    assert "was rejects" in words(one(first, ".cell__changed"))
    assert "now partial" in words(one(first, ".cell__changed"))
    assert any("declined to say" in words(c) for c in by_id.values())
    off = next(c for c in by_id.values() if "declined to say" in words(c))
    assert off["data-stance"] == "off-declined"


def test_the_matrix_costs_the_same_queries_with_nuance(client, session, queries) -> None:
    client.get("/talks/russia-ukraine")
    baseline = queries.count
    _nuanced(session)
    queries.clear()
    client.get("/talks/russia-ukraine?since=2025-01-12")
    assert queries.count == baseline
    # The party page: conditions come with its histories, in their query.
    queries.clear()
    client.get("/talks/russia-ukraine/parties/nuanced")
    assert queries.count == 6


def test_api_and_csv_carry_the_nuance(client, session) -> None:
    _slug, partial, option, declined = _nuanced(session)
    body = client.get(f"/api/statements/{partial.id}").json()
    assert body["nuance"]["partial"] is True
    assert body["nuance"]["words"] == "open / conditional (partial, conditional)"
    assert body["nuance"]["conditions"][0]["note"] == "only if prisoners are exchanged"
    assert client.get(f"/api/statements/{option.id}").json()["nuance"]["alternative_to"] == (
        partial.id
    )
    off = client.get(f"/api/statements/{declined.id}").json()
    assert off["stance"] is None and off["nuance"]["off_scale"]["label"] == "declined to say"
    rows = list(csv.reader(io.StringIO(client.get("/api/statements.csv?party=nuanced").text)))
    header = rows[0]
    # Old columns first, in their old places; the new ones appended at the end.
    assert header[:5] == ["id", "negotiation", "party", "demand", "stance"]
    assert header.index("url") == 18
    assert header[19:24] == ["off_scale", "partial", "scope_note", "conditional", "alternative_to"]
    row = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert row[str(partial.id)]["partial"] == "yes"
    assert row[str(partial.id)]["conditional"] == "yes"
    assert (
        row[str(declined.id)]["stance"] == "" and row[str(declined.id)]["off_scale"] == "declined"
    )
    spec = client.get("/openapi.json").json()
    assert "Nuance" in spec["components"]["schemas"]


def test_off_scale_answers_are_found_by_filter_and_search(client, session) -> None:
    _slug, _partial, _option, declined = _nuanced(session)
    items = client.get("/api/statements?stance=declined&party=nuanced").json()["items"]
    assert [i["id"] for i in items] == [declined.id]
    assert client.get("/api/statements?stance=ambiguous&party=nuanced").json()["items"] == []
    bad = client.get("/api/statements?stance=maybe")
    assert bad.status_code == 400 and "declined" in bad.text
    page = parse(client.get("/search?q=Illustration"))
    hit = next(li for li in page.select("li") if "declined to say" in words(li))
    assert hit is not None
