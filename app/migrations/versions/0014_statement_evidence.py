"""Issue 18, items 3–5: how the source knows, quotes in the original language, links that
survive.

- statement gains `evidence` (on the record, official document, anonymous official, leaked
  document, another outlet) and `evidence_outlet` (the outlet, required for "another outlet");
  `quote_language` (a BCP 47 tag), `original_quote` and `translated_by` (the source, or the
  editor named). An original quote needs its language, and the other way round.
- source gains `archive_url`, an archived copy's address.
- source_link_check: one row per source, the last check of its URL (outcome, HTTP status, when).
  A table of its own, not source columns through the write path: a check is the checker's
  observation, not an edit, so it makes no revision and does not bump source.version (a nightly
  check would otherwise make every open source edit form stale and bury the history).
- Search also finds a statement by its original-language quote: PostgreSQL's generated
  statement.fts is made again with original_quote; SQLite's statement_fts gains the column.
  On SQLite the statement table is rebuilt (batch) for the new CHECKs, which drops its triggers,
  so the FTS table and its triggers are dropped first and made again (and rebuilt) after.

Revision ID: 0014
Revises: 0010

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVIDENCE = (
    "on_record",
    "official_document",
    "anonymous_official",
    "leaked_document",
    "other_outlet",
)
OLD_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(speaker, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, summary), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(quote, '')), 'B')"
)
# 'english' for the original too: the query is parsed with 'english', and a word outside
# English (Cyrillic) passes its stemmer unchanged, only lower-cased, on both sides.
NEW_VECTOR = (
    f"{OLD_VECTOR} || "
    "setweight(to_tsvector('english'::regconfig, coalesce(original_quote, '')), 'B')"
)
OLD_COLUMNS = "summary, quote, speaker"
NEW_COLUMNS = "summary, quote, speaker, original_quote"


def sqlite_statement_index(columns: str, table: str = "statement") -> list[str]:
    """The FTS5 index over `columns` of `table` (statement_fts or statement_fts_source), filled,
    with its triggers (as in 0003 and 0005)."""
    fts = "statement_fts" if table == "statement" else "statement_fts_source"
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    return [
        f"""CREATE VIRTUAL TABLE {fts} USING fts5(
            {columns}, content='{table}', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        f"""CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {columns})
            VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE OF {columns} ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {columns})
            VALUES ('delete', old.id, {old});
            INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});
        END""",
    ]


def drop_sqlite_statement_index(fts: str = "statement_fts") -> None:
    for trigger in ["insert", "delete", "update"]:
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
    op.execute(f"DROP TABLE {fts}")


# The source table is rebuilt too (batch), which drops its index's triggers; 0005's columns.
SOURCE_COLUMNS = "title, publisher, url"


def restore_position_index() -> None:
    """SQLite's batch rebuild makes indexes again from reflection, which drops DESC: the matrix
    index is made again as 0001 made it."""
    live = sa.text("retracted_at IS NULL")
    op.drop_index("ix_statement_position", table_name="statement")
    op.create_index(
        "ix_statement_position",
        "statement",
        ["party_id", "demand_id", sa.text("stated_on DESC"), sa.text("id DESC")],
        postgresql_where=live,
        sqlite_where=live,
    )


def replace_postgres_vector(expression: str) -> None:
    op.drop_index("ix_statement_fts", table_name="statement")
    op.drop_column("statement", "fts")
    op.add_column(
        "statement",
        sa.Column(
            "fts", sa.dialects.postgresql.TSVECTOR(), sa.Computed(expression, persisted=True)
        ),
    )
    op.create_index("ix_statement_fts", "statement", ["fts"], postgresql_using="gin")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:
        drop_sqlite_statement_index()
        drop_sqlite_statement_index("statement_fts_source")
    with op.batch_alter_table("statement") as batch:
        batch.add_column(sa.Column("evidence", sa.String(30), nullable=True))
        batch.add_column(sa.Column("evidence_outlet", sa.String(200), nullable=True))
        batch.add_column(sa.Column("quote_language", sa.String(35), nullable=True))
        batch.add_column(sa.Column("original_quote", sa.Text(), nullable=True))
        batch.add_column(sa.Column("translated_by", sa.String(200), nullable=True))
        allowed = ", ".join(f"'{e}'" for e in EVIDENCE)
        batch.create_check_constraint("evidence_allowed", f"evidence IN ({allowed})")
        batch.create_check_constraint(
            "evidence_outlet_named",
            "(evidence = 'other_outlet') = (evidence_outlet IS NOT NULL)"
            " AND (evidence_outlet IS NULL OR length(trim(evidence_outlet)) > 0)",
        )
        batch.create_check_constraint(
            "evidence_outlet_max_length", "length(evidence_outlet) <= 200"
        )
        batch.create_check_constraint("quote_language_max_length", "length(quote_language) <= 35")
        batch.create_check_constraint("original_quote_max_length", "length(original_quote) <= 4000")
        batch.create_check_constraint("translated_by_max_length", "length(translated_by) <= 200")
        batch.create_check_constraint(
            "original_quote_has_language",
            "(original_quote IS NULL) = (quote_language IS NULL)"
            " AND (original_quote IS NULL OR length(trim(original_quote)) > 0)",
        )
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("archive_url", sa.String(2000), nullable=True))
        batch.create_check_constraint("archive_url_max_length", "length(archive_url) <= 2000")
        batch.create_check_constraint(
            "archive_url_http",
            "archive_url IS NULL OR archive_url LIKE 'http://%' OR archive_url LIKE 'https://%'",
        )
    op.create_table(
        "source_link_check",
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey(
                "source.id", name="fk_source_link_check_source_id_source", ondelete="CASCADE"
            ),
            primary_key=True,
        ),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(300), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('ok', 'broken', 'refused', 'error')",
            name="outcome_allowed",
        ),
        sa.CheckConstraint("length(detail) <= 300", name="detail_max_length"),
        sa.PrimaryKeyConstraint("source_id", name="pk_source_link_check"),
    )
    if postgres:
        replace_postgres_vector(NEW_VECTOR)
    else:
        restore_position_index()
        for sql in [
            *sqlite_statement_index(NEW_COLUMNS),
            *sqlite_statement_index(SOURCE_COLUMNS, "source"),
        ]:
            op.execute(sql)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        replace_postgres_vector(OLD_VECTOR)
    else:
        drop_sqlite_statement_index()
        drop_sqlite_statement_index("statement_fts_source")
    op.drop_table("source_link_check")
    with op.batch_alter_table("source") as batch:
        batch.drop_constraint("archive_url_http", type_="check")
        batch.drop_constraint("archive_url_max_length", type_="check")
        batch.drop_column("archive_url")
    with op.batch_alter_table("statement") as batch:
        for name in [
            "original_quote_has_language",
            "translated_by_max_length",
            "original_quote_max_length",
            "quote_language_max_length",
            "evidence_outlet_max_length",
            "evidence_outlet_named",
            "evidence_allowed",
        ]:
            batch.drop_constraint(name, type_="check")
        for column in [
            "translated_by",
            "original_quote",
            "quote_language",
            "evidence_outlet",
            "evidence",
        ]:
            batch.drop_column(column)
    if not postgres:
        restore_position_index()
        for sql in [
            *sqlite_statement_index(OLD_COLUMNS),
            *sqlite_statement_index(SOURCE_COLUMNS, "source"),
        ]:
            op.execute(sql)
