"""Fill a migrated database with synthetic data of a realistic shape, fast (for benchmarks).

    parley bench-data --statements 1000000 --database-url postgresql://postgres@127.0.0.1/x
    python -m app.synthetic_data --statements 100000 --database-url sqlite:///bench.db

Shape: 20 parties × 40 demands in 2 negotiations (each demand in one; a third of the parties,
the mediators, take part in both, the others in one each), sources shared by ~20 statements
each, stances that shift a few times per cell over the years (plus some noise), ~1% retractions
with reasons, dates known to the day, month or year (stored as the first day of the period), a
handful of editors, and one `create` revision per row whose snapshot is what
`Versioned.snapshot()` gives.

Not the write path: that would take hours for a million rows. Instead, PostgreSQL gets COPY
(FREEZE, into tables truncated in the same transaction) with the statement and revision tables'
indexes and foreign keys dropped for the load and re-created from their own definitions after it,
so every foreign key is still validated and every CHECK constraint is checked row by row. SQLite
gets executemany in one big transaction. ANALYZE runs afterwards on both.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.dates import DatePrecision, period_start
from app.models import (
    Action,
    Base,
    Demand,
    Negotiation,
    Participation,
    ParticipationRole,
    Party,
    PartyKind,
    Revision,
    Role,
    Source,
    SourceKind,
    Statement,
    User,
)
from app.users.service import SYSTEM_EMAIL

START = dt.date(2014, 1, 1)
# Statements cannot be dated in the future; keep the range fixed so runs are comparable.
END = min(dt.date(2025, 12, 31), dt.date.today())
DAYS = (END - START).days + 1
# Rows per COPY / executemany chunk: bounds memory (revisions are built beside their rows).
CHUNK = 50_000
EDITORS = 8

# Tables in dependency order; all are emptied and refilled.
TABLES = (
    "user",
    "party",
    "negotiation",
    "participation",
    "demand",
    "source",
    "statement",
    "revision",
)
# The benchmark's plan (issue 17): a proposal of the first negotiation in 3 versions of 28
# points, each point on a demand, each version's points the successors of the one before's.
PLAN_TABLES = (
    "proposal",
    "proposal_author",
    "proposal_version",
    "proposal_point",
    "point_demand",
    "point_lineage",
)
PLAN_SLUG = "bench-plan"
PLAN_POINTS = 28
PLAN_VERSIONS = 3
# The first version's date (the others follow two months apart): before it the plan has none,
# so the benchmark's cache-miss dates for ?with= start here.
PLAN_START = dt.date(2024, 2, 1)
# Every table of the schema is emptied before loading (in dependency order), those nothing is
# generated for too: they refer to the generated ones, and a table added later is not missed.
CLEARED_TABLES = tuple(table.name for table in Base.metadata.sorted_tables)

PARTY_NAMES = [
    ("Republic of Aldoria", "Aldoria", PartyKind.STATE),
    ("Federation of Belmark", "Belmark", PartyKind.STATE),
    ("Caspian League", "Caspian L.", PartyKind.BLOC),
    ("Duvessa", "Duvessa", PartyKind.STATE),
    ("Eastern Mediation Group", "EMG", PartyKind.ORGANISATION),
    ("Free State of Fenwick", "Fenwick", PartyKind.STATE),
    ("Grand Council of Halvard", "Halvard", PartyKind.STATE),
    ("Isenmark Union", "Isenmark", PartyKind.BLOC),
    ("Jorvik Accord Secretariat", "JAS", PartyKind.ORGANISATION),
    ("Kingdom of Lorath", "Lorath", PartyKind.STATE),
    ("Marrow Coast", "Marrow", PartyKind.STATE),
    ("Northern Alliance", "N. Alliance", PartyKind.BLOC),
    ("Ostrava Commission", "Ostrava C.", PartyKind.ORGANISATION),
    ("Principality of Quell", "Quell", PartyKind.STATE),
    ("Rhodan Republic", "Rhodan", PartyKind.STATE),
    ("Southern Forum", "S. Forum", PartyKind.BLOC),
    ("Tarsis", "Tarsis", PartyKind.STATE),
    ("United Vales", "Vales", PartyKind.STATE),
    ("Western Contact Group", "WCG", PartyKind.ORGANISATION),
    ("Zarnic Federation", "Zarnic", PartyKind.STATE),
]
DEMAND_TOPICS = [
    "ceasefire along the current line",
    "withdrawal of heavy weapons",
    "exchange of all prisoners",
    "international monitoring mission",
    "return of displaced people",
    "neutral status",
    "security guarantees",
    "sanctions relief",
    "reparations fund",
    "war crimes tribunal",
    "referendum on the disputed provinces",
    "demilitarised zone",
    "control of the nuclear plant",
    "grain corridor through the straits",
    "limits on troop numbers",
    "language rights",
    "amnesty for combatants",
    "reopening of border crossings",
    "reconstruction conference",
    "elections under observation",
]
PUBLISHERS = [
    "Wire Service A",
    "Daily Chronicle",
    "Evening Standard-Bearer",
    "Foreign Ministry",
    "State Broadcaster",
    "Independent Monitor",
    "Policy Review",
    "Regional Radio",
]
SPEAKERS = [
    None,
    "the foreign minister",
    "the president",
    "a government spokesperson",
    "the chief negotiator",
    "the defence minister",
    "the prime minister",
    "an unnamed official",
]
PROSE = (
    "the delegation said it would not accept any agreement that leaves the question of the "
    "border open while troops remain on the ground; talks in the capital resumed after a "
    "pause and both sides described the atmosphere as constructive but difficult. officials "
    "added that guarantees must be written down, monitored and enforced, and that a timetable "
    "for the withdrawal is a precondition for any further step. the mediators proposed a "
    "phased plan with verification by an international mission and a joint commission"
)
WORDS = PROSE.split()
RETRACTION_REASONS = [
    "Misattributed: the quote was from another delegation.",
    "The source corrected its report.",
    "Duplicate of an earlier statement.",
    "Stance misread; the party's position was conditional.",
    "Date was wrong and the statement is superseded by a corrected entry.",
]
# Day, month, year: most sources give a day; some only "in June" or "in 2022".
PRECISIONS = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]
PRECISION_WEIGHTS = [90, 8, 2]

STATEMENT_COLUMNS = (
    "id",
    "party_id",
    "demand_id",
    "negotiation_id",
    "stance",
    "stated_on",
    "stated_on_precision",
    "speaker",
    "summary",
    "quote",
    "source_id",
    "created_by_id",
    "retracted_at",
    "retraction_reason",
    "version",
    "created_at",
    "updated_at",
    # Review (issue 19): the generated history is all published, on the day it was entered.
    "published_at",
)
REVISION_COLUMNS = (
    "id",
    "entity_type",
    "entity_id",
    "version",
    "action",
    "snapshot",
    "reason",
    "user_id",
    "created_at",
)


@dataclass(frozen=True)
class Shape:
    statements: int
    parties: int = 20
    demands: int = 40
    negotiations: int = 2
    # Default: one source per ~20 statements (a press conference backs many statements).
    sources: int = 0
    retracted_share: float = 0.01
    seed: int = 1

    @property
    def source_count(self) -> int:
        return self.sources or max(50, self.statements // 20)

    def negotiation_of_demand(self, demand: int) -> int:
        """Demands (ids from 1) are split into contiguous runs, one per negotiation."""
        return (demand - 1) * self.negotiations // self.demands + 1

    def roles(self, party: int) -> dict[int, ParticipationRole]:
        """The negotiations a party (id from 1) takes part in, with its role in each: every
        third party mediates in all of them, the others are parties to one."""
        own = (party - 1) % self.negotiations + 1
        if (party - 1) % 3 == 0:
            return {
                n: ParticipationRole.PARTY if n == own else ParticipationRole.MEDIATOR
                for n in range(1, self.negotiations + 1)
            }
        return {own: ParticipationRole.PARTY}


@dataclass
class TableRows:
    """Rows for one table, as tuples in `columns` order, each with its creation revision."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


class Generator:
    """Deterministic rows for a Shape; ids are assigned here, so rows and revisions agree."""

    def __init__(self, shape: Shape, now: dt.datetime) -> None:
        self.shape = shape
        self.rng = random.Random(shape.seed)
        self.now = now.replace(microsecond=0)
        self.revision_id = 0
        self.corpus = " ".join(self.rng.choice(WORDS) for _ in range(20_000))

    def next_revision_id(self) -> int:
        self.revision_id += 1
        return self.revision_id

    def revision(
        self, entity_type: str, entity_id: int, snapshot: dict[str, Any], user: int, at: dt.datetime
    ) -> tuple[Any, ...]:
        return (
            self.next_revision_id(),
            entity_type,
            entity_id,
            1,
            Action.CREATE.value,
            json.dumps(snapshot, separators=(",", ":")),
            None,
            user,
            at,
        )

    def small_tables(self) -> tuple[list[TableRows], list[tuple[Any, ...]]]:
        """Users, parties, demands and sources, plus their revisions."""
        rng, now = self.rng, self.now
        revisions: list[tuple[Any, ...]] = []
        users = [(1, SYSTEM_EMAIL, "Parley (system)", None, Role.SYSTEM.value, False)]
        users += [
            (2 + i, f"editor-{i}@bench.invalid", f"Bench editor {i}", None, Role.EDITOR.value, True)
            for i in range(EDITORS)
        ]
        user_rows = [(*u, 1, 1, now, now) for u in users]
        for u in users:
            snapshot = {"email": u[1], "display_name": u[2], "role": u[4], "is_active": u[5]}
            # The system user's creation is attributed to itself, as system_user() does.
            revisions.append(self.revision("user", u[0], snapshot, 1, now))

        parties = []
        for i in range(self.shape.parties):
            name, short, kind = PARTY_NAMES[i % len(PARTY_NAMES)]
            if i >= len(PARTY_NAMES):
                name, short = f"{name} {i // len(PARTY_NAMES) + 1}", f"{short[:36]} {i}"
            slug = "-".join(name.lower().replace(".", "").split())
            colour = f"#{rng.randrange(0x1000000):06x}"
            description = f"{name}: a synthetic party for benchmarks."
            values: tuple[Any, ...] = (slug, name, short, kind.value, colour, description)
            parties.append((i + 1, *values, 1, now, now))
            snapshot = dict(zip(Party.SNAPSHOT_FIELDS, values, strict=True))
            revisions.append(self.revision("party", i + 1, snapshot, 1, now))

        negotiations = []
        for i in range(self.shape.negotiations):
            values = (
                f"talks-{i + 1}",
                f"Synthetic talks {i + 1}",
                "A synthetic negotiation for benchmarks.",
                "active",
                None,
                i,
                True,  # statements need review: the default (its statements are all published)
            )
            negotiations.append((i + 1, *values, 1, now, now))
            snapshot = dict(zip(Negotiation.SNAPSHOT_FIELDS, values, strict=True))
            revisions.append(self.revision("negotiation", i + 1, snapshot, 1, now))

        participations: list[tuple[Any, ...]] = []
        for party in range(1, self.shape.parties + 1):
            for negotiation, role in self.shape.roles(party).items():
                values = (negotiation, party, role.value, party)
                row_id = len(participations) + 1
                participations.append((row_id, *values, 1, now, now))
                snapshot = dict(zip(Participation.SNAPSHOT_FIELDS, values, strict=True))
                revisions.append(self.revision("participation", row_id, snapshot, 1, now))

        demands = []
        for i in range(self.shape.demands):
            topic = DEMAND_TOPICS[i % len(DEMAND_TOPICS)]
            round_ = i // len(DEMAND_TOPICS) + 1
            title = topic[0].upper() + topic[1:] + (f" (phase {round_})" if round_ > 1 else "")
            slug = "-".join(title.lower().replace("(", "").replace(")", "").split())
            values = (
                self.shape.negotiation_of_demand(i + 1),
                slug,
                title,
                f"What the parties said about the {topic}.",
                i + 1,
            )
            demands.append((i + 1, *values, 1, now, now))
            snapshot = dict(zip(Demand.SNAPSHOT_FIELDS, values, strict=True))
            revisions.append(self.revision("demand", i + 1, snapshot, 1, now))

        sources = []
        kinds = [k.value for k in SourceKind]
        for i in range(self.shape.source_count):
            publisher = rng.choice(PUBLISHERS)
            published = START + dt.timedelta(days=rng.randrange(DAYS))
            precision: DatePrecision | None = rng.choices(PRECISIONS, PRECISION_WEIGHTS)[0]
            if rng.random() < 0.05:  # an undated source
                published_on, precision = None, None
            else:
                published_on = period_start(published, precision)  # type: ignore[arg-type]
            values = (
                f"https://news.example.org/{published.year}/{i + 1}-negotiations",
                f"{publisher}: report {i + 1} on the negotiations",
                publisher,
                published_on,
                precision.value if precision else None,
                rng.choice(kinds),
                None,  # archive_url
            )
            sources.append((i + 1, *values, 1, now, now))
            snapshot = dict(zip(Source.SNAPSHOT_FIELDS, values, strict=True))
            snapshot["published_on"] = published_on.isoformat() if published_on else None
            revisions.append(self.revision("source", i + 1, snapshot, 1, now))

        def columns(model: Any) -> tuple[str, ...]:
            return ("id", *model.SNAPSHOT_FIELDS, "version", "created_at", "updated_at")

        user_columns = (
            "id",
            "email",
            "display_name",
            "password_hash",
            "role",
            "is_active",
            "session_version",
            "version",
            "created_at",
            "updated_at",
        )
        tables = [
            TableRows("user", user_columns, user_rows),
            TableRows("party", columns(Party), parties),
            TableRows("negotiation", columns(Negotiation), negotiations),
            TableRows("participation", columns(Participation), participations),
            TableRows("demand", columns(Demand), demands),
            TableRows("source", columns(Source), sources),
            *self.plan_tables(revisions, participations),
        ]
        return tables, revisions

    def plan_tables(
        self, revisions: list[tuple[Any, ...]], participations: list[tuple[Any, ...]]
    ) -> list[TableRows]:
        """The plan, with a create revision for each proposal, version and point."""
        now = self.now
        stamps = (1, now, now)
        talks = 1
        demand_ids = [
            d
            for d in range(1, self.shape.demands + 1)
            if self.shape.negotiation_of_demand(d) == talks
        ]
        author = next((p[2] for p in participations if p[1] == talks), None)
        if not demand_ids or author is None or self.shape.source_count == 0:
            return []
        proposal = (1, talks, PLAN_SLUG, "The benchmark plan", "peace-plan", None, "")
        revisions.append(
            self.revision(
                "proposal",
                1,
                {
                    "negotiation_id": talks,
                    "slug": PLAN_SLUG,
                    "title": "The benchmark plan",
                    "kind": "peace-plan",
                    "author_party_ids": [author],
                    "disputed_authorship": None,
                    "description": "",
                },
                1,
                now,
            )
        )
        versions, points, demands, lineage = [], [], [], []
        stances = [2, 1, 0, -1, -2]
        for v in range(1, PLAN_VERSIONS + 1):
            issued = PLAN_START.replace(month=PLAN_START.month * v)
            previous = v - 1 if v > 1 else None
            values = (1, talks, previous, v, f"Draft {v}", f"draft-{v}", issued, "day", "leaked", 1)
            versions.append((v, *values, *stamps))
            snapshot = {
                "proposal_id": 1,
                "position": v,
                "label": f"Draft {v}",
                "slug": f"draft-{v}",
                "issued_on": issued.isoformat(),
                "issued_on_precision": "day",
                "status": "leaked",
                "source_id": 1,
            }
            revisions.append(self.revision("proposal_version", v, snapshot, 1, now))
            for n in range(1, PLAN_POINTS + 1):
                point_id = (v - 1) * PLAN_POINTS + n
                text = f"Point {n} of draft {v}."
                points.append((point_id, v, talks, previous, str(n), text, None, n, *stamps))
                demand = demand_ids[(n - 1) % len(demand_ids)]
                stance = stances[(n + v) % len(stances)]
                value = float(600_000 + 100_000 * (v - 1)) if n == 1 else None
                unit = "troops" if n == 1 else None
                demands.append((point_id, point_id, talks, demand, stance, value, unit))
                links = []
                if previous is not None:
                    change = "changed" if n == 1 else "unchanged"
                    links = [{"predecessor_id": point_id - PLAN_POINTS, "change": change}]
                    lineage.append((point_id, point_id, previous, point_id - PLAN_POINTS, change))
                snapshot = {
                    "version_id": v,
                    "number": str(n),
                    "text": text,
                    "excerpt": None,
                    "position": n,
                    "demands": [
                        {"demand_id": demand, "stance": stance, "value": value, "unit": unit}
                    ],
                    "lineage": links,
                }
                revisions.append(self.revision("proposal_point", point_id, snapshot, 1, now))
        versioned = ("version", "created_at", "updated_at")
        return [
            TableRows(
                "proposal",
                (
                    "id",
                    "negotiation_id",
                    "slug",
                    "title",
                    "kind",
                    "disputed_authorship",
                    "description",
                    *versioned,
                ),
                [(*proposal, *stamps)],
            ),
            TableRows(
                "proposal_author",
                ("id", "proposal_id", "negotiation_id", "party_id", "position"),
                [(1, 1, talks, author, 1)],
            ),
            TableRows(
                "proposal_version",
                (
                    "id",
                    "proposal_id",
                    "negotiation_id",
                    "previous_id",
                    "position",
                    "label",
                    "slug",
                    "issued_on",
                    "issued_on_precision",
                    "status",
                    "source_id",
                    *versioned,
                ),
                versions,
            ),
            TableRows(
                "proposal_point",
                (
                    "id",
                    "version_id",
                    "negotiation_id",
                    "previous_version_id",
                    "number",
                    "text",
                    "excerpt",
                    "position",
                    *versioned,
                ),
                points,
            ),
            TableRows(
                "point_demand",
                ("id", "point_id", "negotiation_id", "demand_id", "stance", "value", "unit"),
                demands,
            ),
            TableRows(
                "point_lineage",
                ("id", "point_id", "previous_version_id", "predecessor_id", "change"),
                lineage,
            ),
        ]

    def statement_chunks(self) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(statements, their revisions) in chunks of CHUNK rows."""
        rng, shape, now = self.rng, self.shape, self.now
        # The cells of every negotiation's matrix: its participants × its demands.
        cells = [
            (p, d)
            for p in range(1, shape.parties + 1)
            for d in range(1, shape.demands + 1)
            if shape.negotiation_of_demand(d) in shape.roles(p)
        ]
        # Each cell's stance shifts a few times over the years: (day offsets, stances).
        timelines = {}
        for cell in cells:
            shifts = sorted(rng.randrange(DAYS) for _ in range(rng.randint(0, 4)))
            stances = [rng.randint(-2, 2)]
            for _ in shifts:
                stances.append(max(-2, min(2, stances[-1] + rng.choice((-2, -1, 1, 2)))))
            timelines[cell] = (shifts, stances)
        corpus, corpus_len = self.corpus, len(self.corpus) - 450
        editors = list(range(2, 2 + EDITORS))
        source_count = shape.source_count
        # Pre-computed day → date and period starts: date arithmetic is the hot loop's cost.
        days = [START + dt.timedelta(days=i) for i in range(DAYS)]
        isodays = [d.isoformat() for d in days]
        precisions = [p.value for p in PRECISIONS]
        next_id = 1
        while next_id <= shape.statements:
            rows, revisions = [], []
            for statement_id in range(next_id, min(next_id + CHUNK, shape.statements + 1)):
                cell = cells[rng.randrange(len(cells))]
                offset = rng.randrange(DAYS)
                shifts, stances = timelines[cell]
                stance = stances[bisect.bisect_right(shifts, offset)]
                if rng.random() < 0.1:  # a wobble off the party's line
                    stance = max(-2, min(2, stance + rng.choice((-1, 1))))
                precision = rng.choices(precisions, PRECISION_WEIGHTS)[0]
                stated_on = days[offset]
                if precision == "month":
                    stated_on = stated_on.replace(day=1)
                elif precision == "year":
                    stated_on = stated_on.replace(month=1, day=1)
                stated_iso = isodays[(stated_on - START).days]
                # Cut at spaces, so texts hold whole words.
                start = corpus.find(" ", rng.randrange(corpus_len)) + 1
                summary = corpus[start : corpus.rfind(" ", start, start + rng.randrange(40, 160))]
                summary = summary.capitalize() + "."
                quote = None
                if rng.random() < 0.4:
                    start = corpus.find(" ", rng.randrange(corpus_len)) + 1
                    quote = corpus[start : corpus.rfind(" ", start, start + rng.randrange(80, 440))]
                speaker = SPEAKERS[rng.randrange(len(SPEAKERS))]
                editor = editors[rng.randrange(EDITORS)]
                # Entered a few days after it was said; the backlog was loaded "now".
                created = dt.datetime.combine(
                    days[min(offset + rng.randrange(1, 30), DAYS - 1)],
                    dt.time(rng.randrange(7, 20), rng.randrange(60)),
                    dt.UTC,
                )
                retracted_at = reason = None
                if rng.random() < shape.retracted_share:
                    retracted_at = min(created + dt.timedelta(days=rng.randrange(1, 60)), now)
                    reason = RETRACTION_REASONS[rng.randrange(len(RETRACTION_REASONS))]
                source_id = rng.randrange(1, source_count + 1)
                updated = retracted_at or created
                rows.append(
                    (
                        statement_id,
                        cell[0],
                        cell[1],
                        shape.negotiation_of_demand(cell[1]),
                        stance,
                        stated_on,
                        precision,
                        speaker,
                        summary,
                        quote,
                        source_id,
                        editor,
                        retracted_at,
                        reason,
                        1,
                        created,
                        updated,
                        created,
                    )
                )
                snapshot = {
                    "party_id": cell[0],
                    "demand_id": cell[1],
                    "stance": stance,
                    "stated_on": stated_iso,
                    "stated_on_precision": precision,
                    "speaker": speaker,
                    "summary": summary,
                    "quote": quote,
                    "source_id": source_id,
                    "retracted_at": retracted_at.isoformat() if retracted_at else None,
                    "retraction_reason": reason,
                    # Generated statements are plain: on the scale, whole, unconditional.
                    "off_scale": None,
                    "partial": False,
                    "scope_note": None,
                    "alternative_to_id": None,
                    "conditions": [],
                    # ... and the source's own reporting, quoted in English only.
                    "evidence": None,
                    "evidence_outlet": None,
                    "quote_language": None,
                    "original_quote": None,
                    "translated_by": None,
                    # ... and answer no proposal (issue 17).
                    "answers_version_id": None,
                    "answers_point_id": None,
                }
                revisions.append(
                    self.revision("statement", statement_id, snapshot, editor, updated)
                )
            next_id += len(rows)
            yield rows, revisions


# ---------------------------------------------------------------------------------------------
# Loading


@dataclass
class Report:
    backend: str
    statements: int
    rows: int
    seconds: float
    phases: dict[str, float]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        phases = ", ".join(f"{k} {v:.1f}s" for k, v in self.phases.items())
        return (
            f"{self.backend}: {self.statements:,} statements, {self.rows:,} rows in "
            f"{self.seconds:.1f}s = {self.rows_per_second:,.0f} rows/s "
            f"({self.statements / self.seconds:,.0f} statements/s with their revisions; {phases})"
        )


class DatabaseNotEmpty(RuntimeError):
    pass


def generate(
    engine: Engine,
    statements: int,
    *,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
    **shape: Any,
) -> Report:
    """Fill the migrated database behind `engine`; refuses a non-empty one unless `replace`."""
    gen = Generator(Shape(statements=statements, **shape), dt.datetime.now(dt.UTC))
    say = progress or (lambda _message: None)
    if not replace and not database_is_empty(engine):
        raise DatabaseNotEmpty(
            "the database already holds data: pass replace=True (--replace) to empty it first"
        )
    if engine.dialect.name == "postgresql":
        return _load_postgresql(engine, gen, say)
    if engine.dialect.name == "sqlite":
        return _load_sqlite(engine, gen, say)
    raise ValueError(f"unsupported database: {engine.dialect.name}")


def database_is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        return all(
            session.scalar(select(func.count()).select_from(model)) == 0
            for model in (
                User,
                Party,
                Negotiation,
                Participation,
                Demand,
                Source,
                Statement,
                Revision,
            )
        )


def statement_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Statement)) or 0)


def _quoted(table: str) -> str:
    return f'"{table}"'


def _load_postgresql(engine: Engine, gen: Generator, say: Callable[[str], None]) -> Report:
    started = time.perf_counter()
    phases: dict[str, float] = {}
    total = 0

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = phases.get(name, 0.0) + now - since
        return now

    with engine.begin() as connection:
        # The app's statement timeout (settings.statement_timeout_ms) is for pages; one COPY or
        # index build of a load takes minutes and would be cancelled half-way on a busy machine.
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        # Snapshots hold UTC ISO timestamps; keep the server's rendering of them the same.
        connection.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
        # Truncated in this transaction, so COPY FREEZE may write rows already frozen (no
        # hint-bit rewrite of 1M rows by the first reader or VACUUM).
        connection.exec_driver_sql(
            f"TRUNCATE {', '.join(_quoted(t) for t in CLEARED_TABLES)} RESTART IDENTITY"
        )
        recreate = _drop_bulk_indexes(connection, ("statement", "revision", "statement_record"))
        t = phase("prepare", started)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

        def copy(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
            cols = ", ".join(columns)
            with cursor.copy(f"COPY {_quoted(table)} ({cols}) FROM STDIN (FREEZE)") as copier:
                for row in rows:
                    copier.write_row(row)

        small, revisions = gen.small_tables()
        for table_rows in small:
            copy(table_rows.table, table_rows.columns, table_rows.rows)
            total += len(table_rows.rows)
        copy("revision", REVISION_COLUMNS, revisions)
        total += len(revisions)
        t = phase("copy", t)
        for rows, revs in gen.statement_chunks():
            t = phase("generate", t)
            copy("statement", STATEMENT_COLUMNS, rows)
            copy("revision", REVISION_COLUMNS, revs)
            total += len(rows) + len(revs)
            t = phase("copy", t)
            say(f"  {rows[-1][0]:,} statements")
        _fill_records(connection)
        t = phase("records", t)
        for sql in recreate:
            connection.exec_driver_sql(sql)
        t = phase("indexes+fks", t)
        for table in (*TABLES, *PLAN_TABLES):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{_quoted(table)}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {_quoted(table)}), false)"
            )
    # VACUUM also sets the visibility map, so the matrix probes can be index-only.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("SET statement_timeout = 0")
        try:
            vacuumed = (*TABLES, "statement_record")
            connection.exec_driver_sql(
                f"VACUUM (ANALYZE) {', '.join(_quoted(t) for t in vacuumed)}"
            )
        finally:
            # Back to the connection's own setting before it returns to the pool.
            connection.exec_driver_sql("RESET statement_timeout")
    phase("vacuum+analyze", t)
    return Report("postgresql", gen.shape.statements, total, time.perf_counter() - started, phases)


# What the write path would have recorded (app/records.py): each generated statement has one
# revision, so a published one not retracted was shown from that revision on, and a retracted
# one (its only revision already retracted) never was. One INSERT … SELECT on both databases.
RECORDED_COLUMNS = (
    "party_id, demand_id, stance, stated_on, stated_on_precision, speaker, summary, quote,"
    " source_id, off_scale, partial, scope_note, alternative_to_id, evidence, evidence_outlet,"
    " quote_language, original_quote, translated_by"
)


def _fill_records(connection: Connection) -> None:
    columns = ", ".join(f"s.{c.strip()}" for c in RECORDED_COLUMNS.split(","))
    connection.exec_driver_sql(
        "INSERT INTO statement_record (statement_id, revision_id, valid_from, valid_to,"
        f" {RECORDED_COLUMNS}, conditional) SELECT s.id, r.id, r.created_at, NULL, {columns},"
        " false FROM statement s JOIN revision r ON r.entity_type = 'statement'"
        " AND r.entity_id = s.id WHERE s.retracted_at IS NULL AND s.published_at IS NOT NULL"
    )


def _drop_bulk_indexes(connection: Connection, tables: Sequence[str]) -> list[str]:
    """Drop the big tables' keys, indexes and foreign keys; returns the SQL re-creating them.

    The SQL comes from PostgreSQL's own rendering of each definition, so what comes back is
    exactly what the migrations made; re-adding a foreign key validates every row against it.
    """
    constraints = connection.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE (c.conrelid = ANY(CAST(:tables AS regclass[])) "
            "AND c.contype IN ('p', 'u', 'f')) "
            # A smaller table's key into a big one (webhook_event → revision) rests on the big
            # one's primary key: it goes and comes back with it.
            "OR (c.contype = 'f' AND c.confrelid = ANY(CAST(:tables AS regclass[]))) "
            "ORDER BY c.contype = 'f', c.conname"
        ),
        {"tables": [_quoted(t) for t in tables]},
    ).all()
    indexes = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
        ),
        {"tables": [_quoted(t) for t in tables]},
    ).all()
    for table, name, _kind, _definition in reversed(constraints):
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    keys = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k != "f"]
    fks = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k == "f"]
    return keys + [definition for _name, definition in indexes] + fks


def _sqlite_value(value: Any) -> Any:
    # Stored as SQLAlchemy's SQLite types store them, so the ORM reads them back unchanged.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _load_sqlite(engine: Engine, gen: Generator, say: Callable[[str], None]) -> Report:
    started = time.perf_counter()
    phases: dict[str, float] = {}
    total = 0
    t = started
    with engine.begin() as connection:
        for table in reversed(CLEARED_TABLES):
            connection.exec_driver_sql(f"DELETE FROM {_quoted(table)}")
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]

        def insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(
                f"INSERT INTO {_quoted(table)} ({', '.join(columns)}) VALUES ({marks})",
                [tuple(map(_sqlite_value, row)) for row in rows],
            )

        small, revisions = gen.small_tables()
        for table_rows in small:
            insert(table_rows.table, table_rows.columns, table_rows.rows)
            total += len(table_rows.rows)
        insert("revision", REVISION_COLUMNS, revisions)
        total += len(revisions)
        for rows, revs in gen.statement_chunks():
            now = time.perf_counter()
            phases["generate"] = phases.get("generate", 0.0) + now - t
            insert("statement", STATEMENT_COLUMNS, rows)
            insert("revision", REVISION_COLUMNS, revs)
            total += len(rows) + len(revs)
            t = time.perf_counter()
            phases["insert"] = phases.get("insert", 0.0) + t - now
            say(f"  {rows[-1][0]:,} statements")
        t = time.perf_counter()
        _fill_records(connection)
        phases["records"] = time.perf_counter() - t
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    phases["analyze"] = time.perf_counter() - t
    return Report("sqlite", gen.shape.statements, total, time.perf_counter() - started, phases)


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    from app.db import make_engine
    from app.migrate import upgrade
    from app.settings import Settings, get_settings

    parser = argparse.ArgumentParser(
        prog="parley bench-data", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument(
        "--database-url", help="default: PARLEY_DATABASE_URL (the app's own database!)"
    )
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument("--demands", type=int, default=40)
    parser.add_argument(
        "--negotiations", type=int, default=2, help="the demands are split between them"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--replace", action="store_true", help="empty a database that already holds data"
    )
    args = parser.parse_args(argv)
    settings = Settings(database_url=args.database_url) if args.database_url else get_settings()
    engine = make_engine(settings)
    shown = make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)
    try:
        upgrade(engine)
        report = generate(
            engine,
            args.statements,
            replace=args.replace,
            progress=lambda m: print(m, file=sys.stderr, flush=True),
            parties=args.parties,
            demands=args.demands,
            negotiations=args.negotiations,
            seed=args.seed,
        )
    except DatabaseNotEmpty as problem:
        print(f"parley bench-data: {shown}: {problem}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"parley bench-data: {shown}: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
