"""Draft and publish (issue 19, first part): statement.published_at and review_comment;
negotiation.statements_need_review (on by default).

Every statement already there was public, so it becomes published: published_at is its
created_at. The partial indexes that readers' queries use (ix_statement_position and the four
timeline indexes) are rebuilt with the predicate "retracted_at IS NULL AND published_at IS NOT
NULL", so drafts stay out of them. Downgrade deletes nothing a reader saw: it refuses while a
draft exists (a draft would become public with the column gone).

Revision ID: 0015
Revises: 0010

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "retracted_at IS NULL"
NEW = "retracted_at IS NULL AND published_at IS NOT NULL"
INDEXES = (
    ("ix_statement_position", ["party_id", "demand_id", "stated_on DESC", "id DESC"]),
    ("ix_statement_timeline", ["stated_on", "id"]),
    ("ix_statement_party_timeline", ["party_id", "stated_on", "id"]),
    ("ix_statement_demand_timeline", ["demand_id", "stated_on", "id"]),
    ("ix_statement_negotiation_timeline", ["negotiation_id", "stated_on", "id"]),
)


OLD_ACTIONS = ("create", "edit", "retract", "restore", "revert")
NEW_ACTIONS = (*OLD_ACTIONS, "publish", "send_back")


def _actions(actions: Sequence[str]) -> None:
    allowed = ", ".join(f"'{a}'" for a in actions)
    with op.batch_alter_table("revision") as batch:
        batch.drop_constraint(op.f("ck_revision_action_allowed"), type_="check")
        batch.create_check_constraint("action_allowed", f"action IN ({allowed})")


def _indexes(where: str) -> None:
    for name, columns in INDEXES:
        op.drop_index(name, table_name="statement")
        op.create_index(
            name,
            "statement",
            [sa.text(c) for c in columns],
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def upgrade() -> None:
    with op.batch_alter_table("negotiation") as batch:
        batch.add_column(
            sa.Column(
                "statements_need_review", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
    # Plain ADD COLUMNs on both databases: a SQLite rebuild of statement would have to carry its
    # FTS triggers and partial DESC indexes along by hand. Who reviewed is the publish
    # revision's user (the log has it already), so no column names a user here.
    op.add_column("statement", sa.Column("published_at", sa.DateTime(timezone=True)))
    op.add_column("statement", sa.Column("review_comment", sa.Text()))
    op.execute("UPDATE statement SET published_at = created_at")
    _actions(NEW_ACTIONS)
    _indexes(NEW)
    op.create_index(
        "ix_statement_draft",
        "statement",
        ["negotiation_id", "id"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    drafts = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM statement WHERE published_at IS NULL")
    )
    if drafts:
        raise RuntimeError(
            f"{drafts} draft statement(s) would become public: publish or delete them first"
        )
    # Kept, as edits: the log stays whole and every version keeps its revision.
    op.execute("UPDATE revision SET action = 'edit' WHERE action IN ('publish', 'send_back')")
    _actions(OLD_ACTIONS)
    op.drop_index("ix_statement_draft", table_name="statement")
    _indexes(OLD)
    # SQLite has had DROP COLUMN since 3.35: no rebuild, so the indexes and triggers stay.
    op.drop_column("statement", "review_comment")
    op.drop_column("statement", "published_at")
    with op.batch_alter_table("negotiation") as batch:
        batch.drop_column("statements_need_review")
