"""Reactions (issue 17): a statement may answer a proposal version, or one point of it.

statement gains answers_version_id and answers_point_id (a point always with its version). Two
composite keys hold them in the statement's own negotiation: (answers_version_id,
negotiation_id) → proposal_version (id, negotiation_id), and (answers_point_id,
answers_version_id) → proposal_point (id, version_id). An index on both reads a version's
reactions, and its points', in one range.

On SQLite the statement table is rebuilt (batch) for the keys. Reflection cannot carry all of
what the table has (DESC, the partial predicates of the readers' indexes) and the drop takes its
full-text triggers with it; so every index and trigger on statement is read from sqlite_master
first, dropped, and made again after from its own SQL, word for word: whatever later migrations
add to the table is kept without this one naming it.

Downgrade drops the columns: which statement answered which version is lost from the rows
(their revisions keep it in their snapshots); nothing becomes public that was not.

Revision ID: 0020
Revises: 0019

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _set_aside() -> list[str]:
    """Drop statement's own indexes and triggers; return the SQL that makes them again.

    SQLite's automatic indexes (primary key, inline UNIQUE) have no SQL: the rebuilt table
    makes those itself."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT type, name, sql FROM sqlite_master "
            "WHERE tbl_name = 'statement' AND type IN ('index', 'trigger') AND sql IS NOT NULL "
            "ORDER BY type, name"
        )
    ).all()
    for kind, name, _sql in rows:
        op.execute(f'DROP {kind.upper()} "{name}"')
    return [sql for _kind, _name, sql in rows]


def _put_back(saved: list[str]) -> None:
    for sql in saved:
        op.execute(sql)


def upgrade() -> None:
    saved = _set_aside() if _sqlite() else []
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
    _put_back(saved)
    op.create_index("ix_statement_answers", "statement", ["answers_version_id", "answers_point_id"])


def downgrade() -> None:
    op.drop_index("ix_statement_answers", table_name="statement")
    saved = _set_aside() if _sqlite() else []
    with op.batch_alter_table("statement") as batch:
        batch.drop_constraint("fk_statement_answers_point", type_="foreignkey")
        batch.drop_constraint("fk_statement_answers_version", type_="foreignkey")
        batch.drop_constraint(op.f("ck_statement_answers_point_needs_version"), type_="check")
        batch.drop_column("answers_point_id")
        batch.drop_column("answers_version_id")
    _put_back(saved)
