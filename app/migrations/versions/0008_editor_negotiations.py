"""Editors' rights per negotiation (issue 16): an editor edits every negotiation, or named ones.

- user.all_negotiations (NOT NULL, default true): every existing account keeps what it could do
  before (edit everything), so nothing changes for anyone until an admin narrows an editor.
- user_negotiation (user × negotiation): the talks an editor without all_negotiations edits.
  Not versioned on its own: it is written with the account, whose revisions list it.

Both are plain ALTERs on SQLite too (an added column with a constant default, a new table):
no table is rebuilt.

Downgrade refuses while an editor is narrowed to some negotiations (the older schema lets every
editor edit everything: going down would quietly widen their rights); give them all
negotiations, or deactivate them, first.

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user",
        sa.Column("all_negotiations", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.create_table(
        "user_negotiation",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_negotiation_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiation.id"],
            name=op.f("fk_user_negotiation_negotiation_id_negotiation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("user_id", "negotiation_id", name=op.f("pk_user_negotiation")),
    )
    op.create_index(
        op.f("ix_user_negotiation_negotiation_id"), "user_negotiation", ["negotiation_id"]
    )


def downgrade() -> None:
    narrowed = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT email FROM \"user\" u WHERE u.role = 'editor' AND u.is_active"
                " AND NOT u.all_negotiations AND (SELECT count(*) FROM user_negotiation g"
                " WHERE g.user_id = u.id) < (SELECT count(*) FROM negotiation) ORDER BY email"
            )
        )
        .scalars()
        .all()
    )
    if narrowed:
        raise RuntimeError(
            "cannot downgrade below 0008: these editors edit only some negotiations, and the "
            f"older schema would let them edit all: {', '.join(narrowed)}. Give them every "
            "negotiation, or deactivate them, first"
        )
    op.drop_index(op.f("ix_user_negotiation_negotiation_id"), table_name="user_negotiation")
    op.drop_table("user_negotiation")
    op.drop_column("user", "all_negotiations")
