"""A negotiation's timeline (issue 16): ix_statement_negotiation_timeline on (negotiation_id,
stated_on, id) over live statements, so `/talks/{negotiation}/timeline` pages are one range
scan at any depth and "last statement per negotiation" (the list of negotiations) is one probe
per negotiation, however many statements the other negotiations hold.

Revision ID: 0009
Revises: 0008

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
# 0008 is being written alongside; the chain is re-linked when both are merged.
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("retracted_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_statement_negotiation_timeline",
        "statement",
        ["negotiation_id", "stated_on", "id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_statement_negotiation_timeline", table_name="statement")
