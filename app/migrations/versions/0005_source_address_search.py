"""Search finds a source by its address: the words of its URL (host and path) join its title and
publisher in the search index, so `dailywrap`, `hkbusinesswire` or a pasted URL find it.

- PostgreSQL: source.fts is regenerated with the URL's words (the URL with every run of
  non-alphanumerics made a space: to_tsvector's own URL parser keeps `www.dailywrap.net` whole,
  so `dailywrap` alone would not match). A generated column's expression cannot be altered on
  PostgreSQL 15, so the column and its GIN index are dropped and added again; PostgreSQL computes
  it for every existing row.
- SQLite: statement_fts_source gains a `url` column (FTS5's unicode61 tokenizer already splits a
  URL into its words). An FTS5 table's columns are fixed, so it and its three triggers are made
  again and rebuilt from the source table.

Revision ID: source_address_search
Revises: 0004

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "source_address_search"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TITLE_AND_PUBLISHER = (
    "setweight(to_tsvector('english'::regconfig, title), 'B') || "
    "setweight(to_tsvector('english'::regconfig, publisher), 'C')"
)
URL_WORDS = (
    "setweight(to_tsvector('english'::regconfig, "
    "regexp_replace(url, '[^[:alnum:]]+', ' ', 'g')), 'D')"
)


def sqlite_source_index(columns: str) -> list[str]:
    """statement_fts_source over `columns` of source, filled, with its triggers (as in 0003)."""
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    return [
        f"""CREATE VIRTUAL TABLE statement_fts_source USING fts5(
            {columns}, content='source', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        "INSERT INTO statement_fts_source(statement_fts_source) VALUES ('rebuild')",
        f"""CREATE TRIGGER statement_fts_source_insert AFTER INSERT ON source BEGIN
            INSERT INTO statement_fts_source(rowid, {columns}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER statement_fts_source_delete AFTER DELETE ON source BEGIN
            INSERT INTO statement_fts_source(statement_fts_source, rowid, {columns})
            VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER statement_fts_source_update AFTER UPDATE OF {columns} ON source BEGIN
            INSERT INTO statement_fts_source(statement_fts_source, rowid, {columns})
            VALUES ('delete', old.id, {old});
            INSERT INTO statement_fts_source(rowid, {columns}) VALUES (new.id, {new});
        END""",
    ]


def drop_sqlite_source_index() -> None:
    for trigger in ["insert", "delete", "update"]:
        op.execute(f"DROP TRIGGER statement_fts_source_{trigger}")
    op.execute("DROP TABLE statement_fts_source")


def replace_postgres_vector(expression: str) -> None:
    op.drop_index("ix_source_fts", table_name="source")
    op.drop_column("source", "fts")
    op.add_column(
        "source",
        sa.Column(
            "fts", sa.dialects.postgresql.TSVECTOR(), sa.Computed(expression, persisted=True)
        ),
    )
    op.create_index("ix_source_fts", "source", ["fts"], postgresql_using="gin")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        replace_postgres_vector(f"{TITLE_AND_PUBLISHER} || {URL_WORDS}")
    else:
        drop_sqlite_source_index()
        for sql in sqlite_source_index("title, publisher, url"):
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        replace_postgres_vector(TITLE_AND_PUBLISHER)
    else:
        drop_sqlite_source_index()
        for sql in sqlite_source_index("title, publisher"):
            op.execute(sql)
