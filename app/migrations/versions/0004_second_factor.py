"""Second factor: a TOTP secret (encrypted) and the last accepted time step on each account, and
single-use recovery codes (keyed hashes only).

Revision ID: 0004
Revises: 0003

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns without constraints: plain ALTERs on SQLite too (as in 0002), so the user
    # table, which every revision refers to, is never rebuilt.
    op.add_column("user", sa.Column("totp_secret", sa.String(length=500), nullable=True))
    op.add_column("user", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.add_column("user", sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_recovery_code_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    op.create_index(
        "ix_recovery_code_user_id_code_hash",
        "recovery_code",
        ["user_id", "code_hash"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_recovery_code_user_id_code_hash", table_name="recovery_code")
    op.drop_table("recovery_code")
    # SQLite has had DROP COLUMN since 3.35: no batch rebuild of the user table.
    op.drop_column("user", "totp_enabled_at")
    op.drop_column("user", "totp_last_step")
    op.drop_column("user", "totp_secret")
