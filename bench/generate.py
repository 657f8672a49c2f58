"""Fill a database with synthetic statements of a realistic shape, fast (bulk inserts).

Shape: parties × demands (default 20 × 40), shared sources, stances that drift with shifts,
some retractions, all three date precisions, and one revision per row as the write path would
leave it. Not the write path itself: that would take hours for a million rows.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from app.models import Demand, Party, Revision, Source, Statement
from app.users.service import system_user

BATCH = 10_000
START = dt.date(2014, 1, 1)
DAYS = (dt.date(2025, 12, 31) - START).days


def generate(
    engine: Engine,
    statements: int,
    *,
    parties: int = 20,
    demands: int = 40,
    sources: int = 5_000,
    seed: int = 1,
) -> None:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        user_id = system_user(session).id
        party_ids = _bulk(
            session,
            Party,
            [
                {
                    "slug": f"party-{i}",
                    "name": f"Party {i:02d}",
                    "short_name": f"P{i}",
                    "kind": "state",
                    "colour": "#336699",
                    "description": "",
                }
                for i in range(parties)
            ],
            user_id,
            now,
        )
        demand_ids = _bulk(
            session,
            Demand,
            [
                {
                    "slug": f"demand-{i}",
                    "title": f"Demand number {i}",
                    "description": "",
                    "display_order": i,
                }
                for i in range(demands)
            ],
            user_id,
            now,
        )
        source_ids = _bulk(
            session,
            Source,
            [
                {
                    "url": f"https://news.example.org/{i}",
                    "title": f"Report {i} on the negotiations",
                    "publisher": rng.choice(["Wire A", "Wire B", "Daily C", "Ministry D"]),
                    "published_on": START + dt.timedelta(days=rng.randrange(DAYS)),
                    "published_on_precision": "day",
                    "kind": "news_report",
                }
                for i in range(sources)
            ],
            user_id,
            now,
        )
    cells = [(p, d) for p in party_ids for d in demand_ids]
    stance = {cell: rng.randint(-2, 2) for cell in cells}
    done = 0
    while done < statements:
        rows = []
        for _ in range(min(BATCH, statements - done)):
            cell = rng.choice(cells)
            if rng.random() < 0.2:  # a shift
                stance[cell] = max(-2, min(2, stance[cell] + rng.choice([-1, 1])))
            day = START + dt.timedelta(days=rng.randrange(DAYS))
            precision = rng.choices(["day", "month", "year"], [90, 8, 2])[0]
            if precision == "month":
                day = day.replace(day=1)
            elif precision == "year":
                day = day.replace(month=1, day=1)
            retracted = rng.random() < 0.01
            rows.append(
                {
                    "party_id": cell[0],
                    "demand_id": cell[1],
                    "stance": stance[cell],
                    "stated_on": day,
                    "stated_on_precision": precision,
                    "speaker": rng.choice([None, "A minister", "A spokesperson", "The president"]),
                    "summary": f"Synthetic statement {done + len(rows)} on the negotiations.",
                    "quote": None,
                    "source_id": rng.choice(source_ids),
                    "created_by_id": user_id,
                    "retracted_at": now if retracted else None,
                    "retraction_reason": "Synthetic retraction." if retracted else None,
                }
            )
        with Session(engine) as session, session.begin():
            _bulk(session, Statement, rows, user_id, now)
        done += len(rows)


def _bulk(
    session: Session, model: Any, rows: list[dict[str, Any]], user_id: int, now: dt.datetime
) -> list[int]:
    """Insert rows at version 1 with their creation revisions; returns the new ids."""
    for row in rows:
        row.update(version=1, created_at=now, updated_at=now)
    # Core, not ORM, inserts: the ORM's bulk RETURNING is quadratic in the batch size.
    table = model.__table__
    connection = session.connection()
    ids = list(
        connection.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    )
    connection.execute(
        insert(Revision.__table__),
        [
            {
                "entity_type": model.ENTITY_TYPE,
                "entity_id": new_id,
                "version": 1,
                "action": "create",
                "snapshot": {k: _jsonable(row.get(k)) for k in model.SNAPSHOT_FIELDS},
                "user_id": user_id,
                "created_at": now,
            }
            for new_id, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def statement_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Statement)) or 0)
