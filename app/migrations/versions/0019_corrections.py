"""Public corrections (issue 19, items 3 and 6): the statement_correction table; the latest
correction on the statement row and on its record (`?recorded=`); an index for the timeline's
"newest published" order.

Why a table, and not columns on `revision`: a correction is one edit revision with a note
readers see, and readers walk corrections alone (/corrections and its feed, newest first; a
statement's own, on its page). A table of their own gives each of those one index range, keeps
the revision log the same shape for every entity (its export, history pages and "bring back"
are untouched), and lets the database hold the note to its bounds. `revision_id` is unique:
one correction per edit, and the revision's snapshot is the statement as corrected.

`statement.corrected_at` and `correction_note` repeat the newest correction of a statement so
that the matrix, party and demand cells can mark it from the row they read already (no query
more on any reader page). Both are plain ADD COLUMNs on SQLite too (no rebuild of statement,
whose FTS triggers and partial DESC indexes would have to be carried by hand).

`statement_record` gets the same two columns: a record copies its revision's snapshot, which
carries them, so "as the tracker showed it on 3 March" marks a cell corrected only if it had
been by then. No backfill: before this revision nothing was corrected.

Downgrade drops the corrections. The edits they announced stay in the revision log, whose
reason holds each note.

Revision ID: 0019
Revises: 0018

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLIC = "retracted_at IS NULL AND published_at IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "statement_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("fields", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(note) <= 1000", name=op.f("ck_statement_correction_note_max_length")
        ),
        sa.CheckConstraint(
            "length(trim(note)) > 0", name=op.f("ck_statement_correction_note_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_statement_correction_statement_id_statement"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
            name=op.f("fk_statement_correction_revision_id_revision"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_statement_correction_user_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_correction")),
        sa.UniqueConstraint("revision_id", name=op.f("uq_statement_correction_revision_id")),
    )
    op.create_index(
        "ix_statement_correction_statement", "statement_correction", ["statement_id", "id"]
    )
    op.create_index(op.f("ix_statement_correction_user_id"), "statement_correction", ["user_id"])
    op.add_column("statement", sa.Column("corrected_at", sa.DateTime(timezone=True)))
    op.add_column("statement", sa.Column("correction_note", sa.Text()))
    op.add_column("statement_record", sa.Column("corrected_at", sa.DateTime(timezone=True)))
    op.add_column("statement_record", sa.Column("correction_note", sa.Text()))
    op.create_index(
        "ix_statement_published",
        "statement",
        ["published_at", "id"],
        postgresql_where=sa.text(PUBLIC),
        sqlite_where=sa.text(PUBLIC),
    )


def downgrade() -> None:
    op.drop_index("ix_statement_published", table_name="statement")
    op.drop_column("statement_record", "correction_note")
    op.drop_column("statement_record", "corrected_at")
    op.drop_column("statement", "correction_note")
    op.drop_column("statement", "corrected_at")
    op.drop_index(op.f("ix_statement_correction_user_id"), table_name="statement_correction")
    op.drop_index("ix_statement_correction_statement", table_name="statement_correction")
    op.drop_table("statement_correction")
