"""As the tracker showed it (issue 19, item 4): statement_record, what readers were shown of each
statement from when to when, filled from the revision log.

Why a temporal table, and not a replay of the log per request: `?recorded=2026-03-03` must pick,
for each cell, the statement that was public at the end of that day with its content of then,
among every version of every statement of the cell. Replaying the log reads every revision
ever written (a million at the benchmark's size) for every page. A row per span of public
content with `valid_from`/`valid_to` makes it the matrix's own shape: one probe per cell of an
index on (party_id, demand_id, stated_on DESC, statement_id DESC) that also holds valid_from
and valid_to, so versions not valid then are skipped inside the index. The probe walks past
only what was added or changed after that day in that cell: late entries and later versions.
Rejected: a column "published_at" alone (edits of published statements must be undone too),
PostgreSQL range types with GiST (SQLite has none, and the probe's order is the position rule's,
not the range's), and storing snapshots per day (grows with days × statements).

The rows copy the snapshot of the revision that began them (its id is kept), so the log stays
the source of truth and a record can be checked against it (tests/matrix/test_recorded.py
replays the log). The write path keeps it from now on (app/records.py, from app/revisions.py).

Backfill, per statement in version order: a revision is public when the statement was published
by then (a `publish` revision at or before it, or, with none, published at creation: every
statement from before review and every one of talks without review) and its snapshot is not
retracted; each revision closes the open record at its time and a public one opens the next.
Downgrade drops the table: it is derived from the log, which keeps everything.

Revision ID: 0018
Revises: 0016

"""

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a record copies from a statement snapshot (app/models/statement_record.RECORDED_FIELDS,
# as of this migration).
FIELDS = (
    "party_id",
    "demand_id",
    "stance",
    "stated_on",
    "stated_on_precision",
    "speaker",
    "summary",
    "quote",
    "source_id",
    "off_scale",
    "partial",
    "scope_note",
    "alternative_to_id",
    "evidence",
    "evidence_outlet",
    "quote_language",
    "original_quote",
    "translated_by",
)
BATCH = 5000


def upgrade() -> None:
    table = op.create_table(
        "statement_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.SmallInteger(), nullable=True),
        sa.Column("stated_on", sa.Date(), nullable=False),
        sa.Column("stated_on_precision", sa.String(length=5), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("off_scale", sa.String(length=10), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("scope_note", sa.String(length=200), nullable=True),
        sa.Column("alternative_to_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.String(length=30), nullable=True),
        sa.Column("evidence_outlet", sa.String(length=200), nullable=True),
        sa.Column("quote_language", sa.String(length=35), nullable=True),
        sa.Column("original_quote", sa.Text(), nullable=True),
        sa.Column("translated_by", sa.String(length=200), nullable=True),
        sa.Column("conditional", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_statement_record_statement_id_statement"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
            name=op.f("fk_statement_record_revision_id_revision"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_statement_record_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_record")),
    )
    _backfill(table)
    # Indexes after the rows: one sort each instead of a million inserts into them.
    op.create_index(
        "ix_statement_record_position",
        "statement_record",
        [
            "party_id",
            "demand_id",
            sa.text("stated_on DESC"),
            sa.text("statement_id DESC"),
            "valid_from",
            "valid_to",
        ],
    )
    op.create_index(
        "uq_statement_record_open",
        "statement_record",
        ["statement_id"],
        unique=True,
        postgresql_where=sa.text("valid_to IS NULL"),
        sqlite_where=sa.text("valid_to IS NULL"),
    )
    op.create_index("ix_statement_record_statement_id", "statement_record", ["statement_id"])
    op.create_index("ix_statement_record_revision_id", "statement_record", ["revision_id"])
    op.create_index("ix_statement_record_source_id", "statement_record", ["source_id"])


def downgrade() -> None:
    op.drop_index("ix_statement_record_source_id", table_name="statement_record")
    op.drop_index("ix_statement_record_revision_id", table_name="statement_record")
    op.drop_index("ix_statement_record_statement_id", table_name="statement_record")
    op.drop_index("uq_statement_record_open", table_name="statement_record")
    op.drop_index("ix_statement_record_position", table_name="statement_record")
    op.drop_table("statement_record")


REVISION = sa.table(
    "revision",
    sa.column("id", sa.Integer()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("snapshot", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
STATEMENT = sa.table(
    "statement", sa.column("id", sa.Integer()), sa.column("published_at", sa.DateTime())
)


def _backfill(table: sa.Table) -> None:
    connection = op.get_bind()
    published = {
        statement_id
        for (statement_id,) in connection.execute(
            sa.select(STATEMENT.c.id).where(STATEMENT.c.published_at.is_not(None))
        )
    }
    with_publish = set(
        connection.scalars(
            sa.select(REVISION.c.entity_id)
            .where(REVISION.c.entity_type == "statement", REVISION.c.action == "publish")
            .distinct()
        )
    )
    batch: list[dict[str, Any]] = []
    for row in _records(connection, published, with_publish):
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)


def _records(
    connection: sa.Connection, published: set[int], with_publish: set[int]
) -> Iterator[dict[str, Any]]:
    """The records of every statement, replayed from its revisions in version order."""
    revisions = connection.execute(
        sa.select(
            REVISION.c.id,
            REVISION.c.entity_id,
            REVISION.c.action,
            REVISION.c.snapshot,
            REVISION.c.created_at,
        )
        .where(REVISION.c.entity_type == "statement")
        .order_by(REVISION.c.entity_id, REVISION.c.version)
        # In batches (a server-side cursor on PostgreSQL): a million revisions never in memory.
        .execution_options(yield_per=BATCH)
    )
    statement_id = None
    is_published = False
    open_record: dict[str, Any] | None = None
    for revision_id, entity_id, action, snapshot, created_at in revisions:
        if entity_id != statement_id:
            if open_record is not None:
                yield open_record
            statement_id, open_record = entity_id, None
            # Published at creation when it has no publish revision but is published now.
            is_published = entity_id in published and entity_id not in with_publish
        if action == "publish":
            is_published = True
        if open_record is not None:
            open_record["valid_to"] = created_at
            yield open_record
            open_record = None
        if is_published and snapshot.get("retracted_at") is None:
            values = {name: snapshot.get(name) for name in FIELDS}
            values["stated_on"] = date.fromisoformat(values["stated_on"])
            values["partial"] = bool(values["partial"])
            # Snapshots from before dates had a precision (migration 0001's) were days.
            values["stated_on_precision"] = values["stated_on_precision"] or "day"
            open_record = {
                **values,
                "statement_id": entity_id,
                "revision_id": revision_id,
                "valid_from": created_at,
                "valid_to": None,
                "conditional": bool(snapshot.get("conditions")),
            }
    if open_record is not None:
        yield open_record
