"""`?recorded=YYYY-MM-DD` (issue 19, item 4): the positions as the tracker showed them at the end
of a day: later corrections and late entries undone, retractions not yet made still in place,
drafts never shown; on the matrix, party, demand and compare pages and the matrix API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import app.revisions
from app.dates import DatePrecision
from app.matrix.queries import matrix_as_of
from app.models import Demand, Negotiation, Party, Source, Statement, StatementRecord, User
from app.stances import Stance
from app.statements.service import (
    CorrectionFields,
    RetractionFields,
    StatementFields,
    create_statement,
    publish_statement,
    retract_statement,
    update_statement,
)
from tests.factories import (
    make_demand,
    make_negotiation,
    make_participation,
    make_party,
    make_source,
    make_user,
)
from tests.html import one, parse, words

DAY1 = dt.date(2026, 3, 2)
DAY2 = dt.date(2026, 3, 3)
DAY3 = dt.date(2026, 3, 4)


class Clock:
    """The write path's clock (revision times, hence record times), moved by the test."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def on(self, day: dt.date, hour: int = 12) -> None:
        self.now = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    clock = Clock()
    monkeypatch.setattr(app.revisions, "utcnow", clock)
    yield clock


@dataclass
class Talks:
    negotiation: Negotiation
    party: Party
    other: Party
    demand: Demand
    author: User
    reviewer: User


def make_talks(session: Session, *, review: bool = False) -> Talks:
    negotiation = make_negotiation(session, slug="recorded-talks", statements_need_review=review)
    party = make_party(session, slug="north", name="North", short_name="N")
    other = make_party(session, slug="south", name="South", short_name="S")
    for taking_part in (party, other):
        make_participation(session, party=taking_part, negotiation=negotiation)
    demand = make_demand(session, negotiation=negotiation, slug="harbour", title="The harbour")
    return Talks(negotiation, party, other, demand, make_user(session), make_user(session))


def fields(
    stance: Stance = Stance.ACCEPTS, on: dt.date = dt.date(2026, 2, 1), **more
) -> StatementFields:  # type: ignore[no-untyped-def]
    return StatementFields(
        stance=stance,
        stated_on=on,
        stated_on_precision=DatePrecision.DAY,
        summary=more.pop("summary", f"{stance.label} on the harbour."),
        **more,
    )


def say(session: Session, talks: Talks, party: Party, **values) -> Statement:  # type: ignore[no-untyped-def]
    return create_statement(
        session,
        fields(**values),
        party=party,
        demand=talks.demand,
        source=make_source(session),
        user=talks.author,
    )


def correct(session: Session, talks: Talks, statement: Statement, **values) -> Statement:  # type: ignore[no-untyped-def]
    return update_statement(
        session,
        statement,
        fields(**values),
        party=session.get(Party, statement.party_id),
        demand=talks.demand,
        source=session.get(Source, statement.source_id),
        form_version=statement.version,
        user=talks.author,
        # Once published, an edit is a public correction (issue 19 item 3); a draft's needs none.
        correction=CorrectionFields(note="corrected in the test"),
    )


def cell(
    session: Session, talks: Talks, party: Party, recorded: dt.date | None, as_of: dt.date = DAY3
):  # type: ignore[no-untyped-def]
    matrix = matrix_as_of(session, talks.negotiation.id, as_of, recorded=recorded)
    return next(c for c in matrix.rows[0].cells if c.party.id == party.id).statement


def test_a_later_correction_is_undone(session: Session, clock: Clock) -> None:
    talks = make_talks(session)
    clock.on(DAY1)
    statement = say(session, talks, talks.party, stance=Stance.ACCEPTS)
    clock.on(DAY2)
    correct(session, talks, statement, stance=Stance.REJECTS, summary="Rejects, after all.")
    assert cell(session, talks, talks.party, DAY1).stance == Stance.ACCEPTS
    assert cell(session, talks, talks.party, DAY1).summary == "accepts on the harbour."
    assert cell(session, talks, talks.party, DAY2).stance == Stance.REJECTS
    assert cell(session, talks, talks.party, None).stance == Stance.REJECTS
    # The day before it was entered, nothing.
    assert cell(session, talks, talks.party, dt.date(2026, 3, 1)) is None


def test_a_late_entry_is_left_out_and_a_retraction_not_yet_made_stands(
    session: Session, clock: Clock
) -> None:
    talks = make_talks(session)
    clock.on(DAY1)
    early = say(session, talks, talks.party, stance=Stance.OPEN, on=dt.date(2026, 2, 1))
    clock.on(DAY3, hour=8)
    # Entered on day 3, but stated before: a late entry, which day 2's tracker did not show.
    say(session, talks, talks.party, stance=Stance.INSISTS, on=dt.date(2026, 2, 20))
    retract_statement(
        session,
        early,
        RetractionFields(reason="Misquoted."),
        form_version=early.version,
        user=talks.author,
    )
    assert cell(session, talks, talks.party, DAY2).id == early.id
    assert cell(session, talks, talks.party, DAY3).stance == Stance.INSISTS
    # as_of before the late entry's date, as recorded on day 3: the retraction is in place.
    assert cell(session, talks, talks.party, DAY3, as_of=dt.date(2026, 2, 10)) is None
    assert cell(session, talks, talks.party, DAY2, as_of=dt.date(2026, 2, 10)).id == early.id


def test_a_draft_is_never_shown_and_counts_from_its_publication(
    session: Session, clock: Clock
) -> None:
    talks = make_talks(session, review=True)
    clock.on(DAY1)
    draft = say(session, talks, talks.party, stance=Stance.REJECTS)
    clock.on(DAY1, hour=15)
    draft = correct(session, talks, draft, stance=Stance.RED_LINE)
    clock.on(DAY2, hour=0)  # exactly midnight: day 2's, not day 1's
    publish_statement(session, draft, form_version=draft.version, user=talks.reviewer)
    assert cell(session, talks, talks.party, DAY1) is None
    assert cell(session, talks, talks.party, DAY2).stance == Stance.RED_LINE
    assert (
        session.scalar(
            select(func.count()).select_from(StatementRecord).where(StatementRecord.id == draft.id)
        )
        == 1
    )


def test_each_revision_of_a_public_statement_is_one_record(session: Session, clock: Clock) -> None:
    talks = make_talks(session)
    clock.on(DAY1)
    statement = say(session, talks, talks.party)
    clock.on(DAY2)
    statement = correct(session, talks, statement, stance=Stance.OPEN)
    records = list(
        session.scalars(
            select(StatementRecord)
            .where(StatementRecord.id == statement.id)
            .order_by(StatementRecord.valid_from)
        )
    )
    assert [(r.valid_from.date(), r.valid_to and r.valid_to.date(), r.stance) for r in records] == [
        (DAY1, DAY2, Stance.ACCEPTS),
        (DAY2, None, Stance.OPEN),
    ]


def _history(session: Session, clock: Clock) -> Talks:
    """Day 1: North accepts, South rejects; day 3: North corrected to rejects, South retracted,
    a late North entry."""
    talks = make_talks(session)
    clock.on(DAY1)
    north = say(session, talks, talks.party, stance=Stance.ACCEPTS, summary="North said yes.")
    south = say(session, talks, talks.other, stance=Stance.REJECTS, summary="South said no.")
    clock.on(DAY3)
    correct(session, talks, north, stance=Stance.REJECTS, summary="North said no, after all.")
    retract_statement(
        session, south, RetractionFields(reason="Wrong party."), form_version=1, user=talks.author
    )
    session.commit()
    return talks


PAGES = [
    "/talks/recorded-talks",
    "/talks/recorded-talks/parties/north",
    "/parties/north",
    "/talks/recorded-talks/demands/harbour",
    "/talks/recorded-talks/compare?parties=north,south",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_positions_page_says_which_view_and_shows_the_record(
    client, session: Session, clock: Clock, page: str
) -> None:
    _history(session, clock)
    joiner = "&" if "?" in page else "?"
    recorded = parse(client.get(f"{page}{joiner}recorded={DAY2.isoformat()}"))
    note = one(recorded, "#recorded-note")
    assert "As the tracker showed it at the end of 3 March 2026" in words(note)
    back = one(note, "a")["href"]
    today = parse(client.get(back))
    assert not today.select("#recorded-note")
    if "compare" in page:  # the compare page shows stances, not summaries
        assert one(recorded, "li[data-party=north]")["data-stance"] == "accepts"
        assert one(today, "li[data-party=north]")["data-stance"] == "rejects"
    else:
        assert "North said yes." in recorded.text
        assert "North said no, after all." not in recorded.text
        assert "North said no, after all." in today.text
    if "compare" in page:  # retracted on day 3: still in place on day 2
        assert one(recorded, "li[data-party=south]")["data-stance"] == "rejects"
    elif page == "/talks/recorded-talks":
        assert "South said no." in recorded.text
    # Links to the other positions pages stay in the view.
    assert (
        any(
            f"recorded={DAY2.isoformat()}" in a["href"]
            for a in recorded.select("a[href*='as_of=']")
        )
        or page == "/talks/recorded-talks/parties/north"
    )


def test_the_matrix_cells_and_the_api_show_the_record(
    client, session: Session, clock: Clock
) -> None:
    _history(session, clock)
    page = parse(client.get(f"/talks/recorded-talks?recorded={DAY2.isoformat()}"))
    assert one(page, "td[data-party=north]")["data-stance"] == "accepts"
    assert one(page, "td[data-party=south]")["data-stance"] == "rejects"
    assert "as recorded at the end of 3 March 2026" in words(one(page, "title"))
    now = parse(client.get("/talks/recorded-talks"))
    assert one(now, "td[data-party=north]")["data-stance"] == "rejects"
    assert one(now, "td[data-party=south]")["data-stance"] == "none"

    body = client.get(f"/api/negotiations/recorded-talks/matrix?recorded={DAY2.isoformat()}").json()
    assert body["recorded"] == DAY2.isoformat()
    assert body["as_of"] == DAY2.isoformat()  # what the tracker showed that day: that day's
    stances = {c["party"]: c["stance"] and c["stance"]["slug"] for c in body["rows"][0]["cells"]}
    assert stances == {"north": "accepts", "south": "rejects"}
    assert client.get("/api/negotiations/recorded-talks/matrix").json()["recorded"] is None


def test_recorded_with_as_of_is_the_positions_as_of_then_as_recorded(
    client, session: Session, clock: Clock
) -> None:
    _history(session, clock)
    # Stated 1 February; as of 31 January nothing, whatever the record.
    url = f"/talks/recorded-talks?recorded={DAY2.isoformat()}&as_of=2026-01-31"
    assert one(parse(client.get(url)), "td[data-party=north]")["data-stance"] == "none"
    url = f"/talks/recorded-talks?recorded={DAY2.isoformat()}&as_of=2026-02-15&since=2026-01-31"
    page = parse(client.get(url))
    assert one(page, "td[data-party=north]")["data-stance"] == "accepts"
    assert "cell--changed" in one(page, "td[data-party=north]")["class"]
    # The date form keeps the view.
    assert one(page, "#date-form input[name=recorded]")["value"] == DAY2.isoformat()


DEMO_PAGES = [
    "/talks/russia-ukraine",
    "/talks/russia-ukraine/parties/ukraine",
    "/parties/ukraine",
    "/talks/russia-ukraine/demands/nato-renunciation",
    "/talks/russia-ukraine/compare?parties=russia,ukraine",
]
BAD = ["0001-01-01", "1899-12-31", "\x00", "2026-03-0\x00", "9" * 5000, "2026-02-30", "tomorrow"]


@pytest.mark.parametrize("value", [*BAD, "future"])
def test_a_bad_recorded_day_is_a_400_naming_it(client, session: Session, value: str) -> None:
    if value == "future":
        value = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for page in DEMO_PAGES:
        joiner = "&" if "?" in page else "?"
        response = client.get(page + joiner + urlencode({"recorded": value}))
        assert response.status_code == 400, (page, value)
        assert "recorded" in response.text
    response = client.get("/api/negotiations/russia-ukraine/matrix", params={"recorded": value})
    assert response.status_code == 400
    problem = response.json()
    assert "recorded" in str(problem)


def test_today_may_be_recorded(client) -> None:
    today = dt.date.today().isoformat()
    response = client.get(f"/talks/russia-ukraine?recorded={today}")
    assert response.status_code == 200
    assert one(parse(response), "#recorded-note")


@pytest.mark.parametrize("page", PAGES)
def test_the_recorded_view_costs_the_queries_of_todays(
    client, session: Session, clock: Clock, queries, page: str
) -> None:
    talks = _history(session, clock)
    joiner = "&" if "?" in page else "?"
    client.get(page)
    baseline = queries.count
    queries.clear()
    client.get(f"{page}{joiner}recorded={DAY2.isoformat()}")
    recorded = queries.count
    assert recorded <= baseline
    # More statements, more versions: not one query more.
    clock.on(DAY1, hour=14)
    for day in range(1, 20):
        s = say(session, talks, talks.party, stance=Stance.OPEN, on=dt.date(2026, 1, day))
        correct(session, talks, s, stance=Stance.INSISTS, on=dt.date(2026, 1, day))
    session.commit()
    # Today's page first again, as before: what is kept per data version (the matrix's
    # headings) is then kept for the new version too.
    client.get(page)
    queries.clear()
    client.get(f"{page}{joiner}recorded={DAY2.isoformat()}")
    assert queries.count == recorded


# Measured: the pages' query counts in the recorded view (the data version, the page's rows).
RECORDED_QUERIES = {
    "/talks/recorded-talks": 5,
    "/talks/recorded-talks/parties/north": 6,
    "/parties/north": 5,
    "/talks/recorded-talks/demands/harbour": 5,
    "/talks/recorded-talks/compare?parties=north,south": 5,
}


@pytest.mark.parametrize("page", PAGES)
def test_the_recorded_views_query_counts(client, session, clock, queries, page: str) -> None:
    _history(session, clock)
    joiner = "&" if "?" in page else "?"
    queries.clear()
    client.get(f"{page}{joiner}recorded={DAY2.isoformat()}")
    assert queries.count == RECORDED_QUERIES[page], queries.statements


def test_the_render_cache_keeps_each_recorded_day_apart(client, session, clock) -> None:
    _history(session, clock)
    first = client.get(f"/talks/recorded-talks?recorded={DAY2.isoformat()}")
    today = client.get("/talks/recorded-talks")
    again = client.get(f"/talks/recorded-talks?recorded={DAY2.isoformat()}")
    later = client.get(f"/talks/recorded-talks?recorded={DAY3.isoformat()}")
    assert first.text == again.text
    assert first.text != today.text and later.text != first.text
    assert first.headers["etag"] == again.headers["etag"]
