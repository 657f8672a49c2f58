"""Scope, conditions, offers and answers off the scale (issue 18, items 1 and 2).

statement gains off_scale ("declined" / "ambiguous", with stance NULL exactly then), partial
with its scope_note, and alternative_to_id (one option of an either-or offer: a composite key
to a statement of the same party and negotiation). New table statement_condition: "only if"
another demand of the same negotiation is met, optionally by a named participant; composite
keys carry the statement's negotiation down to the demand and the party.

On SQLite the statement table is rebuilt (batch mode) with its partial indexes and full-text
triggers dropped first and made again after, as 0007 does.

Downgrade refuses while any statement is off the scale (the older schema needs a stance);
otherwise it drops the new columns and table (partial flags, scope notes, offers and
conditions are lost; revisions keep them in their snapshots).

Revision ID: 0013
Revises: 0010

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("retracted_at IS NULL")
PARTIAL_INDEXES: dict[str, list[Any]] = {
    "ix_statement_position": [
        "party_id",
        "demand_id",
        sa.text("stated_on DESC"),
        sa.text("id DESC"),
    ],
    "ix_statement_timeline": ["stated_on", "id"],
    "ix_statement_party_timeline": ["party_id", "stated_on", "id"],
    "ix_statement_demand_timeline": ["demand_id", "stated_on", "id"],
    "ix_statement_negotiation_timeline": ["negotiation_id", "stated_on", "id"],
}
STATEMENT_FTS_TRIGGERS = {
    "statement_fts_insert": """
    CREATE TRIGGER statement_fts_insert AFTER INSERT ON statement BEGIN
        INSERT INTO statement_fts(rowid, summary, quote, speaker)
        VALUES (new.id, new.summary, new.quote, new.speaker);
    END""",
    "statement_fts_delete": """
    CREATE TRIGGER statement_fts_delete AFTER DELETE ON statement BEGIN
        INSERT INTO statement_fts(statement_fts, rowid, summary, quote, speaker)
        VALUES ('delete', old.id, old.summary, old.quote, old.speaker);
    END""",
    "statement_fts_update": """
    CREATE TRIGGER statement_fts_update
        AFTER UPDATE OF summary, quote, speaker ON statement BEGIN
        INSERT INTO statement_fts(statement_fts, rowid, summary, quote, speaker)
        VALUES ('delete', old.id, old.summary, old.quote, old.speaker);
        INSERT INTO statement_fts(rowid, summary, quote, speaker)
        VALUES (new.id, new.summary, new.quote, new.speaker);
    END""",
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_statement_extras() -> None:
    """Before a SQLite rebuild of statement: what the rebuild would lose, dropped by name."""
    for trigger in STATEMENT_FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    for name in PARTIAL_INDEXES:
        op.drop_index(name, table_name="statement")


def _make_statement_extras() -> None:
    for name, columns in PARTIAL_INDEXES.items():
        op.create_index(name, "statement", columns, postgresql_where=LIVE, sqlite_where=LIVE)
    for sql in STATEMENT_FTS_TRIGGERS.values():
        op.execute(sql)


def upgrade() -> None:
    if _sqlite():
        _drop_statement_extras()
    with op.batch_alter_table("statement") as batch:
        batch.alter_column("stance", existing_type=sa.SmallInteger(), nullable=True)
        batch.add_column(sa.Column("off_scale", sa.String(length=10), nullable=True))
        batch.add_column(
            sa.Column("partial", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("scope_note", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("alternative_to_id", sa.Integer(), nullable=True))
        batch.create_check_constraint("off_scale_allowed", "off_scale IN ('declined', 'ambiguous')")
        batch.create_check_constraint(
            "stance_or_off_scale", "(stance IS NULL) <> (off_scale IS NULL)"
        )
        batch.create_check_constraint("scope_note_max_length", "length(scope_note) <= 200")
        batch.create_check_constraint(
            "partial_has_scope",
            "(partial AND scope_note IS NOT NULL AND off_scale IS NULL)"
            " OR (NOT partial AND scope_note IS NULL)",
        )
        batch.create_check_constraint(
            "offer_of_two", "alternative_to_id IS NULL OR alternative_to_id <> id"
        )
    op.create_index(
        "uq_statement_id_negotiation", "statement", ["id", "negotiation_id"], unique=True
    )
    op.create_index(
        "uq_statement_id_negotiation_party",
        "statement",
        ["id", "negotiation_id", "party_id"],
        unique=True,
    )
    op.create_index("ix_statement_alternative_to_id", "statement", ["alternative_to_id"])
    with op.batch_alter_table("statement") as batch:
        batch.create_foreign_key(
            "fk_statement_alternative_to",
            "statement",
            ["alternative_to_id", "negotiation_id", "party_id"],
            ["id", "negotiation_id", "party_id"],
            ondelete="RESTRICT",
        )
    if _sqlite():
        _make_statement_extras()
    op.create_table(
        "statement_condition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "length(note) <= 300", name=op.f("ck_statement_condition_note_max_length")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id", "negotiation_id"],
            ["statement.id", "statement.negotiation_id"],
            name="fk_statement_condition_statement",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["demand_id", "negotiation_id"],
            ["demand.id", "demand.negotiation_id"],
            name="fk_statement_condition_demand",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["negotiation_id", "party_id"],
            ["participation.negotiation_id", "participation.party_id"],
            name="fk_statement_condition_participation",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_condition")),
    )
    op.create_index("ix_statement_condition_statement_id", "statement_condition", ["statement_id"])
    op.create_index("ix_statement_condition_demand_id", "statement_condition", ["demand_id"])


def downgrade() -> None:
    bind = op.get_bind()
    off_scale = bind.execute(
        sa.text("SELECT count(*) FROM statement WHERE off_scale IS NOT NULL")
    ).scalar_one()
    if off_scale:
        raise RuntimeError(
            f"cannot downgrade below 0013: {off_scale} statements are off the scale "
            "(declined to say, ambiguous), which the older schema cannot hold; "
            "give them a stance or delete them first"
        )
    op.drop_index("ix_statement_condition_demand_id", table_name="statement_condition")
    op.drop_index("ix_statement_condition_statement_id", table_name="statement_condition")
    op.drop_table("statement_condition")
    if _sqlite():
        _drop_statement_extras()
    with op.batch_alter_table("statement") as batch:
        batch.drop_constraint("fk_statement_alternative_to", type_="foreignkey")
    op.drop_index("ix_statement_alternative_to_id", table_name="statement")
    op.drop_index("uq_statement_id_negotiation_party", table_name="statement")
    op.drop_index("uq_statement_id_negotiation", table_name="statement")
    with op.batch_alter_table("statement") as batch:
        for name in (
            "offer_of_two",
            "partial_has_scope",
            "scope_note_max_length",
            "stance_or_off_scale",
            "off_scale_allowed",
        ):
            batch.drop_constraint(op.f(f"ck_statement_{name}"), type_="check")
        batch.drop_column("alternative_to_id")
        batch.drop_column("scope_note")
        batch.drop_column("partial")
        batch.drop_column("off_scale")
        batch.alter_column("stance", existing_type=sa.SmallInteger(), nullable=False)
    if _sqlite():
        _make_statement_extras()
