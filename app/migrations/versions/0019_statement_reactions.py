"""Reactions (issue 17): a statement may answer a proposal version, or one point of it.

statement gains answers_version_id and answers_point_id (a point always with its version). Two
composite keys hold them in the statement's own negotiation: (answers_version_id,
negotiation_id) → proposal_version (id, negotiation_id), and (answers_point_id,
answers_version_id) → proposal_point (id, version_id). An index on both reads a version's
reactions, and its points', in one range.

On SQLite the statement table is rebuilt (batch) for the keys, which drops its full-text
triggers and loses what reflection cannot carry (DESC, partial predicates): the triggers are
dropped first and made again after, as are the readers' partial indexes, with the predicate
0015 gave them.

Downgrade drops the columns: which statement answered which version is lost from the rows
(their revisions keep it in their snapshots); nothing becomes public that was not.

Revision ID: 0019
Revises: 0015

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLIC = sa.text("retracted_at IS NULL AND published_at IS NOT NULL")
DRAFT = sa.text("published_at IS NULL")
PARTIAL_INDEXES: dict[str, tuple[list[Any], Any]] = {
    "ix_statement_position": (
        ["party_id", "demand_id", sa.text("stated_on DESC"), sa.text("id DESC")],
        PUBLIC,
    ),
    "ix_statement_timeline": (["stated_on", "id"], PUBLIC),
    "ix_statement_party_timeline": (["party_id", "stated_on", "id"], PUBLIC),
    "ix_statement_demand_timeline": (["demand_id", "stated_on", "id"], PUBLIC),
    "ix_statement_negotiation_timeline": (["negotiation_id", "stated_on", "id"], PUBLIC),
    "ix_statement_draft": (["negotiation_id", "id"], DRAFT),
}
# 0014's full-text columns of statement_fts.
FTS_COLUMNS = "summary, quote, speaker, original_quote"


def _fts_triggers() -> list[str]:
    old = ", ".join(f"old.{c.strip()}" for c in FTS_COLUMNS.split(","))
    new = ", ".join(f"new.{c.strip()}" for c in FTS_COLUMNS.split(","))
    fts = "statement_fts"
    return [
        f"""CREATE TRIGGER {fts}_insert AFTER INSERT ON statement BEGIN
            INSERT INTO {fts}(rowid, {FTS_COLUMNS}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER {fts}_delete AFTER DELETE ON statement BEGIN
            INSERT INTO {fts}({fts}, rowid, {FTS_COLUMNS})
            VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE OF {FTS_COLUMNS} ON statement BEGIN
            INSERT INTO {fts}({fts}, rowid, {FTS_COLUMNS})
            VALUES ('delete', old.id, {old});
            INSERT INTO {fts}(rowid, {FTS_COLUMNS}) VALUES (new.id, {new});
        END""",
    ]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _before_rebuild() -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS statement_fts_{trigger}")
    for name in PARTIAL_INDEXES:
        op.drop_index(name, table_name="statement")


def _after_rebuild() -> None:
    for name, (columns, where) in PARTIAL_INDEXES.items():
        op.create_index(name, "statement", columns, sqlite_where=where)
    for sql in _fts_triggers():
        op.execute(sql)


def upgrade() -> None:
    sqlite = _sqlite()
    if sqlite:
        _before_rebuild()
    with op.batch_alter_table("statement") as batch:
        batch.add_column(sa.Column("answers_version_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answers_point_id", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            "answers_point_needs_version",
            "answers_point_id IS NULL OR answers_version_id IS NOT NULL",
        )
        batch.create_foreign_key(
            "fk_statement_answers_version",
            "proposal_version",
            ["answers_version_id", "negotiation_id"],
            ["id", "negotiation_id"],
            ondelete="RESTRICT",
        )
        batch.create_foreign_key(
            "fk_statement_answers_point",
            "proposal_point",
            ["answers_point_id", "answers_version_id"],
            ["id", "version_id"],
            ondelete="RESTRICT",
        )
    op.create_index("ix_statement_answers", "statement", ["answers_version_id", "answers_point_id"])
    if sqlite:
        _after_rebuild()


def downgrade() -> None:
    sqlite = _sqlite()
    op.drop_index("ix_statement_answers", table_name="statement")
    if sqlite:
        _before_rebuild()
    with op.batch_alter_table("statement") as batch:
        batch.drop_constraint("fk_statement_answers_point", type_="foreignkey")
        batch.drop_constraint("fk_statement_answers_version", type_="foreignkey")
        batch.drop_constraint(op.f("ck_statement_answers_point_needs_version"), type_="check")
        batch.drop_column("answers_point_id")
        batch.drop_column("answers_version_id")
    if sqlite:
        _after_rebuild()
