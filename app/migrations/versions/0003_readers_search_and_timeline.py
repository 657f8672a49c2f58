"""Readers: full-text search over statements and sources; indexes for the timeline.

Full-text search lives in the migrations only, not in the models (app/migrate.py keeps it out of
autogenerate): it is a different structure on each database, and the ORM never reads it.

- PostgreSQL: a generated `fts` tsvector column on statement (speaker, summary, quote) and on
  source (title, publisher), each with a GIN index; queries use websearch_to_tsquery.
- SQLite: two FTS5 external-content tables, statement_fts over statement and
  statement_fts_source over source, kept in step by triggers. Each trigger touches only its own
  table's FTS index: a trigger or view on one table naming another breaks SQLite's table
  rebuilds (batch migrations rename tables, and SQLite then re-checks every trigger and view).

Timeline: keyset pagination walks (stated_on, id) backwards; these partial indexes make each
page one range scan, whole timeline or filtered to a party or a demand (party and demand
together use ix_statement_position).

Revision ID: 0003
Revises: 0002

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("retracted_at IS NULL")

STATEMENT_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(speaker, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, summary), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(quote, '')), 'B')"
)
SOURCE_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, title), 'B') || "
    "setweight(to_tsvector('english'::regconfig, publisher), 'C')"
)

STATEMENT_COLUMNS = "summary, quote, speaker"
SOURCE_COLUMNS = "title, publisher"
SQLITE_SEARCH = [
    f"""CREATE VIRTUAL TABLE statement_fts USING fts5(
        {STATEMENT_COLUMNS}, content='statement', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE VIRTUAL TABLE statement_fts_source USING fts5(
        {SOURCE_COLUMNS}, content='source', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    # Index what is already there.
    "INSERT INTO statement_fts(statement_fts) VALUES ('rebuild')",
    "INSERT INTO statement_fts_source(statement_fts_source) VALUES ('rebuild')",
    f"""CREATE TRIGGER statement_fts_insert AFTER INSERT ON statement BEGIN
        INSERT INTO statement_fts(rowid, {STATEMENT_COLUMNS})
        VALUES (new.id, new.summary, new.quote, new.speaker);
    END""",
    # External content: the index forgets a row only when told its old values.
    f"""CREATE TRIGGER statement_fts_delete AFTER DELETE ON statement BEGIN
        INSERT INTO statement_fts(statement_fts, rowid, {STATEMENT_COLUMNS})
        VALUES ('delete', old.id, old.summary, old.quote, old.speaker);
    END""",
    f"""CREATE TRIGGER statement_fts_update AFTER UPDATE OF {STATEMENT_COLUMNS} ON statement BEGIN
        INSERT INTO statement_fts(statement_fts, rowid, {STATEMENT_COLUMNS})
        VALUES ('delete', old.id, old.summary, old.quote, old.speaker);
        INSERT INTO statement_fts(rowid, {STATEMENT_COLUMNS})
        VALUES (new.id, new.summary, new.quote, new.speaker);
    END""",
    f"""CREATE TRIGGER statement_fts_source_insert AFTER INSERT ON source BEGIN
        INSERT INTO statement_fts_source(rowid, {SOURCE_COLUMNS})
        VALUES (new.id, new.title, new.publisher);
    END""",
    f"""CREATE TRIGGER statement_fts_source_delete AFTER DELETE ON source BEGIN
        INSERT INTO statement_fts_source(statement_fts_source, rowid, {SOURCE_COLUMNS})
        VALUES ('delete', old.id, old.title, old.publisher);
    END""",
    f"""CREATE TRIGGER statement_fts_source_update AFTER UPDATE OF {SOURCE_COLUMNS} ON source BEGIN
        INSERT INTO statement_fts_source(statement_fts_source, rowid, {SOURCE_COLUMNS})
        VALUES ('delete', old.id, old.title, old.publisher);
        INSERT INTO statement_fts_source(rowid, {SOURCE_COLUMNS})
        VALUES (new.id, new.title, new.publisher);
    END""",
]
SQLITE_TRIGGERS = [
    "statement_fts_insert",
    "statement_fts_delete",
    "statement_fts_update",
    "statement_fts_source_insert",
    "statement_fts_source_delete",
    "statement_fts_source_update",
]


def upgrade() -> None:
    for name, columns in [
        ("ix_statement_timeline", ["stated_on", "id"]),
        ("ix_statement_party_timeline", ["party_id", "stated_on", "id"]),
        ("ix_statement_demand_timeline", ["demand_id", "stated_on", "id"]),
    ]:
        op.create_index(name, "statement", columns, postgresql_where=LIVE, sqlite_where=LIVE)

    if op.get_bind().dialect.name == "postgresql":
        op.add_column(
            "statement",
            sa.Column(
                "fts",
                sa.dialects.postgresql.TSVECTOR(),
                sa.Computed(STATEMENT_VECTOR, persisted=True),
            ),
        )
        op.add_column(
            "source",
            sa.Column(
                "fts", sa.dialects.postgresql.TSVECTOR(), sa.Computed(SOURCE_VECTOR, persisted=True)
            ),
        )
        op.create_index("ix_statement_fts", "statement", ["fts"], postgresql_using="gin")
        op.create_index("ix_source_fts", "source", ["fts"], postgresql_using="gin")
    else:
        for sql in SQLITE_SEARCH:
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_source_fts", table_name="source")
        op.drop_index("ix_statement_fts", table_name="statement")
        op.drop_column("source", "fts")
        op.drop_column("statement", "fts")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE statement_fts_source")
        op.execute("DROP TABLE statement_fts")

    for name in [
        "ix_statement_demand_timeline",
        "ix_statement_party_timeline",
        "ix_statement_timeline",
    ]:
        op.drop_index(name, table_name="statement")
