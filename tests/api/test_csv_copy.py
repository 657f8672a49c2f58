"""On PostgreSQL the CSV export is written by `COPY (SELECT …) TO STDOUT` (issue 22): the same
bytes as the Python writer, which SQLite keeps. Both paths run here over awkward data and must
agree byte for byte, for every filter the export takes and across chunk boundaries."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select, update

from app.api.csv_export import statement_csv
from app.dates import DatePrecision
from app.evidence import Evidence
from app.models import Demand, Negotiation, Party, Source, Statement
from app.stances import OffScale, Stance
from app.timeline.queries import TimelineFilters
from tests.factories import make_demand, make_negotiation, make_party, make_source, make_statement

# Every way a cell can trip a CSV writer: quotes, the delimiter, line ends of each kind, the
# characters that start a spreadsheet formula, unicode, backslashes (COPY's text escape), "\."
# (COPY's end of data), spaces at the ends, and the empty string (COPY quotes it, Python not).
AWKWARD = [
    'He said "no", then "yes"',
    "a,b,,c",
    "line one\nline two",
    "carriage\rreturn",
    "crlf\r\nend",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\tleading tab",
    "\rleading CR",
    "'already quoted",
    "Ünïcödé — ελληνικά 中文 🇺🇦",
    "back\\slash \\N \\.",
    "\\.",
    "  spaces  ",
    '"',
    "",
    ",",
]


@pytest.fixture
def awkward(session):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite has only the Python writer")
    negotiation = make_negotiation(session)
    parties = [make_party(session), make_party(session)]
    demands = [make_demand(session, negotiation=negotiation), make_demand(session)]
    sources = [make_source(session), make_source(session)]
    # Values the forms refuse, written straight in: the export must cope with what is stored.
    for model, row, values in (
        (Negotiation, negotiation, {"slug": "-talks"}),
        (Party, parties[0], {"slug": "=party"}),
        (Demand, demands[0], {"slug": "@demand"}),
        (Source, sources[0], {"title": "=HYPERLINK()", "publisher": 'Pub "lisher", Ltd.\nLondon'}),
        (Source, sources[1], {"title": "Ünïcödé", "archive_url": "https://archive.example.org/x"}),
    ):
        session.execute(update(model).where(model.id == row.id).values(**values))
    ids = []
    precisions = itertools.cycle(list(DatePrecision))
    for n in range(len(AWKWARD) * 2):
        off = n % 7 == 3
        statement = make_statement(
            session,
            party=parties[n % 2],
            demand=demands[(n // 2) % 2],
            source=sources[n % 2],
            stance=None if off else list(Stance)[n % 5],
            off_scale=OffScale.DECLINED if off else None,
            summary="s",
        )
        ids.append(statement.id)
    session.flush()
    for n, statement_id in enumerate(ids):
        value = AWKWARD[n % len(AWKWARD)]
        # The checks want most text cells non-blank; the speaker takes the blank ones as they are.
        filled = value if value.strip() else f"{value}!"
        values: dict[str, object] = {column: filled for column in ("summary", "quote")}
        values["speaker"] = None if n % 4 == 0 else value
        # Several on one day, so the keyset's id tiebreak is crossed by the chunks.
        values["stated_on"] = dt.date(1900 + n % 3 * 60, 1 + n % 2 * 5, 1)
        values["stated_on_precision"] = next(precisions).value
        evidence = list(Evidence)[n % len(Evidence)] if n % 3 else None
        values["evidence"] = evidence.value if evidence else None
        values["evidence_outlet"] = filled if evidence is Evidence.OTHER_OUTLET else None
        if n % 2:
            values.update(quote_language="uk", original_quote=filled, translated_by=filled)
        if n % 4 == 0 and n > 0:
            # An offer names another statement of the same party in the same talks (ids[0]'s).
            values["alternative_to_id"] = ids[0]
        if n % 6 == 2:
            values["retracted_at"] = dt.datetime(2024, 5, 1, 12, 0, n % 60, tzinfo=dt.UTC)
            values["retraction_reason"] = filled
        if n % 6 == 5:
            values["retracted_at"] = dt.datetime(2024, 5, 1, 9, 3, 7, 120 * n, tzinfo=dt.UTC)
            values["retraction_reason"] = filled
        if n % 8 == 6 and values.get("stance", 1) is not None and n % 7 != 3:
            values["partial"] = True
            values["scope_note"] = filled
        session.execute(update(Statement).where(Statement.id == statement_id).values(**values))
    session.commit()
    return negotiation, parties, demands, sources


def both(app, filters: TimelineFilters, batch: int) -> tuple[bytes, bytes]:  # type: ignore[no-untyped-def]
    sessions = app.state.sessionmaker
    copied = b"".join(statement_csv(sessions, filters, batch))
    written = b"".join(statement_csv(sessions, filters, batch, python_writer=True))
    return copied, written


def test_copy_writes_the_same_bytes_as_the_python_writer(app, awkward) -> None:
    negotiation, parties, demands, sources = awkward
    for filters in (
        TimelineFilters(),
        TimelineFilters(include_retracted=True),
        TimelineFilters(negotiation=negotiation, include_retracted=True),
        TimelineFilters(party=parties[0], include_retracted=True),
        TimelineFilters(demand=demands[0]),
        TimelineFilters(stance=Stance.REJECTS),
        TimelineFilters(stance=OffScale.DECLINED, include_retracted=True),
        TimelineFilters(source=sources[1], include_retracted=True),
        TimelineFilters(start=dt.date(1960, 1, 1), end=dt.date(1960, 12, 31)),
    ):
        for batch in (3, 1000):
            copied, written = both(app, filters, batch)
            assert copied.count(b"\n") > 1, filters
            assert copied == written, (filters, batch)


def test_copy_cuts_the_same_chunks_by_keyset(app, awkward) -> None:
    """Chunk by chunk: the header, then a chunk per batch, none repeated, none missed."""
    sessions = app.state.sessionmaker
    filters = TimelineFilters(include_retracted=True)
    copied = list(statement_csv(sessions, filters, 4))
    written = list(statement_csv(sessions, filters, 4, python_writer=True))
    assert len(copied) > 1 + len(AWKWARD) * 2 // 4
    assert copied == written


def test_copy_carries_what_a_statement_answers(app, session) -> None:
    """Reactions (issue 17): the version and point a statement answers, in both writers."""
    from app.models import ProposalPoint
    from tests.proposals.plans import make_proposal, make_talks, make_version, points

    talks = make_talks(session)
    proposal = make_proposal(session, talks)
    version = make_version(session, talks, proposal, "First draft", points(talks, 2))
    point = session.scalars(
        select(ProposalPoint).where(ProposalPoint.version_id == version.id)
    ).first()
    assert point is not None
    for overrides in ({"answers_version_id": version.id}, {"answers_point_id": point.id}):
        make_statement(
            session, party=talks.mediator, demand=talks.demands[0], summary="Answers.",
            **overrides,
        )  # fmt: skip
    session.commit()
    copied, written = both(app, TimelineFilters(), 1000)
    assert copied == written
    assert f",{version.id},\r\n".encode() in copied
    assert f",{version.id},{point.id}\r\n".encode() in copied
