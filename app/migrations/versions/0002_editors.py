"""Editors: login throttling counters and a submission key that makes adding a statement idempotent.

Revision ID: 0002
Revises: 0001

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    # A nullable column and an index: both plain ALTERs on SQLite too, no table rebuild (a
    # rebuild would have to carry the matrix's partial DESC index along by hand).
    op.add_column("statement", sa.Column("submission_key", sa.String(length=64), nullable=True))
    op.create_index("uq_statement_submission_key", "statement", ["submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_statement_submission_key", table_name="statement")
    # SQLite has had DROP COLUMN since 3.35: no batch rebuild, so the matrix index survives.
    op.drop_column("statement", "submission_key")
    op.drop_table("login_throttle")
