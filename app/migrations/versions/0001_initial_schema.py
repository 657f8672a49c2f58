"""Initial schema: parties, demands, sources, statements, users and the revision log.

Revision ID: 0001
Revises:

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "length(description) <= 4000", name=op.f("ck_demand_description_max_length")
        ),
        sa.CheckConstraint("length(slug) <= 64", name=op.f("ck_demand_slug_max_length")),
        sa.CheckConstraint("length(title) <= 300", name=op.f("ck_demand_title_max_length")),
        sa.CheckConstraint("length(trim(slug)) > 0", name=op.f("ck_demand_slug_not_blank")),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_demand_title_not_blank")),
        sa.CheckConstraint("slug = lower(slug)", name=op.f("ck_demand_slug_lowercase")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand")),
        sa.UniqueConstraint("slug", name=op.f("uq_demand_slug")),
    )
    op.create_index(op.f("ix_demand_display_order"), "demand", ["display_order"])

    op.create_table(
        "party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('state', 'bloc', 'organisation')", name=op.f("ck_party_kind_allowed")
        ),
        sa.CheckConstraint(
            "length(colour) = 7 AND colour LIKE '#%'", name=op.f("ck_party_colour_hex")
        ),
        sa.CheckConstraint(
            "length(description) <= 4000", name=op.f("ck_party_description_max_length")
        ),
        sa.CheckConstraint("length(name) <= 200", name=op.f("ck_party_name_max_length")),
        sa.CheckConstraint("length(short_name) <= 40", name=op.f("ck_party_short_name_max_length")),
        sa.CheckConstraint("length(slug) <= 64", name=op.f("ck_party_slug_max_length")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_party_name_not_blank")),
        sa.CheckConstraint(
            "length(trim(short_name)) > 0", name=op.f("ck_party_short_name_not_blank")
        ),
        sa.CheckConstraint("length(trim(slug)) > 0", name=op.f("ck_party_slug_not_blank")),
        sa.CheckConstraint("slug = lower(slug)", name=op.f("ck_party_slug_lowercase")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
        sa.UniqueConstraint("slug", name=op.f("uq_party_slug")),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_on_precision", sa.String(length=5), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(published_on IS NULL AND published_on_precision IS NULL) OR (published_on IS NOT NULL AND published_on_precision IN ('day', 'month', 'year'))",
            name=op.f("ck_source_published_on_precision"),
        ),
        sa.CheckConstraint(
            "kind IN ('news_report', 'official_transcript', 'official_statement', 'interview', 'social_media_post', 'analysis', 'other')",
            name=op.f("ck_source_kind_allowed"),
        ),
        sa.CheckConstraint(
            "url LIKE 'http://%' OR url LIKE 'https://%'", name=op.f("ck_source_url_http")
        ),
        sa.CheckConstraint("length(publisher) <= 200", name=op.f("ck_source_publisher_max_length")),
        sa.CheckConstraint("length(title) <= 500", name=op.f("ck_source_title_max_length")),
        sa.CheckConstraint(
            "length(trim(publisher)) > 0", name=op.f("ck_source_publisher_not_blank")
        ),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_source_title_not_blank")),
        sa.CheckConstraint("length(trim(url)) > 0", name=op.f("ck_source_url_not_blank")),
        sa.CheckConstraint("length(url) <= 2000", name=op.f("ck_source_url_max_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("url", name=op.f("uq_source_url")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=500), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('editor', 'admin', 'system')", name=op.f("ck_user_role_allowed")
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_user_email_lowercase")),
        sa.CheckConstraint(
            "length(display_name) <= 200", name=op.f("ck_user_display_name_max_length")
        ),
        sa.CheckConstraint("length(email) <= 254", name=op.f("ck_user_email_max_length")),
        sa.CheckConstraint(
            "length(trim(display_name)) > 0", name=op.f("ck_user_display_name_not_blank")
        ),
        sa.CheckConstraint("length(trim(email)) > 0", name=op.f("ck_user_email_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column(
            "snapshot", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'edit', 'retract', 'restore', 'revert')",
            name=op.f("ck_revision_action_allowed"),
        ),
        sa.CheckConstraint(
            "entity_type IN ('party', 'demand', 'source', 'statement', 'user')",
            name=op.f("ck_revision_entity_type_allowed"),
        ),
        sa.CheckConstraint("length(reason) <= 1000", name=op.f("ck_revision_reason_max_length")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_revision_user_id_user"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
        sa.UniqueConstraint(
            "entity_type",
            "entity_id",
            "version",
            name=op.f("uq_revision_entity_type_entity_id_version"),
        ),
    )
    op.create_index("ix_revision_created_at", "revision", ["created_at"])
    op.create_index(op.f("ix_revision_user_id"), "revision", ["user_id"])

    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.SmallInteger(), nullable=False),
        sa.Column("stated_on", sa.Date(), nullable=False),
        sa.Column("stated_on_precision", sa.String(length=5), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "stated_on_precision IN ('day', 'month', 'year')",
            name=op.f("ck_statement_stated_on_precision_allowed"),
        ),
        sa.CheckConstraint(
            "(retracted_at IS NULL AND retraction_reason IS NULL) OR (retracted_at IS NOT NULL AND retraction_reason IS NOT NULL AND length(trim(retraction_reason)) > 0)",
            name=op.f("ck_statement_retraction_has_reason"),
        ),
        sa.CheckConstraint("length(quote) <= 4000", name=op.f("ck_statement_quote_max_length")),
        sa.CheckConstraint(
            "length(retraction_reason) <= 1000",
            name=op.f("ck_statement_retraction_reason_max_length"),
        ),
        sa.CheckConstraint("length(speaker) <= 200", name=op.f("ck_statement_speaker_max_length")),
        sa.CheckConstraint("length(summary) <= 1000", name=op.f("ck_statement_summary_max_length")),
        sa.CheckConstraint(
            "length(trim(summary)) > 0", name=op.f("ck_statement_summary_not_blank")
        ),
        sa.CheckConstraint("stance BETWEEN -2 AND 2", name=op.f("ck_statement_stance_scale")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_statement_created_by_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["demand_id"],
            ["demand.id"],
            name=op.f("fk_statement_demand_id_demand"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["party.id"],
            name=op.f("fk_statement_party_id_party"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_statement_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
    )
    op.create_index(op.f("ix_statement_source_id"), "statement", ["source_id"])
    # The matrix: one index probe per (party, demand) cell; partial so retractions cost nothing.
    op.create_index(
        "ix_statement_position",
        "statement",
        ["party_id", "demand_id", sa.text("stated_on DESC"), sa.text("id DESC")],
        postgresql_where=sa.text("retracted_at IS NULL"),
        sqlite_where=sa.text("retracted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_statement_position", table_name="statement")
    op.drop_index(op.f("ix_statement_source_id"), table_name="statement")

    op.drop_table("statement")
    op.drop_index(op.f("ix_revision_user_id"), table_name="revision")
    op.drop_index("ix_revision_created_at", table_name="revision")

    op.drop_table("revision")
    op.drop_table("user")
    op.drop_table("source")
    op.drop_table("party")
    op.drop_index(op.f("ix_demand_display_order"), table_name="demand")

    op.drop_table("demand")
