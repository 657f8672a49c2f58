"""Streams and bursts (issue 13): an index for the CSV export's keyset chunks over every
statement (retracted ones included), and one for sweeping stale login_throttle rows.

Revision ID: 0006
Revises: 0005

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_statement_stated_all", "statement", ["stated_on", "id"])
    op.create_index("ix_login_throttle_window_started_at", "login_throttle", ["window_started_at"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_window_started_at", table_name="login_throttle")
    op.drop_index("ix_statement_stated_all", table_name="statement")
