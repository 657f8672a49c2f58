"""Proposals (issue 17, first part): proposals, their versions, numbered points, the demands
each point speaks to (stance, optional value and unit) and each point's lineage.

New tables only (proposal, proposal_author, proposal_version, proposal_point, point_demand,
point_lineage); revision.entity_type gains proposal, proposal_version and proposal_point.
Composite keys carry the negotiation and the previous version down the chain so that the
database itself refuses an author not taking part, a demand of other talks, and a lineage link
to a point outside the previous version (app/models/proposal.py says how).

Downgrade drops the tables and the revisions of their rows.

Revision ID: 0010
Revises: 0009

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ENTITY_TYPES = (
    "party",
    "demand",
    "source",
    "statement",
    "user",
    "negotiation",
    "participation",
)
NEW_ENTITY_TYPES = (*OLD_ENTITY_TYPES, "proposal", "proposal_version", "proposal_point")


def _entity_types(types: Sequence[str]) -> None:
    allowed = ", ".join(f"'{t}'" for t in types)
    with op.batch_alter_table("revision") as batch:
        batch.drop_constraint(op.f("ck_revision_entity_type_allowed"), type_="check")
        batch.create_check_constraint("entity_type_allowed", f"entity_type IN ({allowed})")


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("disputed_authorship", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('peace-plan', 'memorandum', 'conditions', 'counter', 'framework', 'ceasefire')",
            name=op.f("ck_proposal_kind_allowed"),
        ),
        sa.CheckConstraint(
            "disputed_authorship IS NULL OR length(trim(disputed_authorship)) > 0",
            name=op.f("ck_proposal_disputed_authorship_not_blank"),
        ),
        sa.CheckConstraint(
            "length(description) <= 2000", name=op.f("ck_proposal_description_max_length")
        ),
        sa.CheckConstraint(
            "length(disputed_authorship) <= 1000",
            name=op.f("ck_proposal_disputed_authorship_max_length"),
        ),
        sa.CheckConstraint("length(slug) <= 64", name=op.f("ck_proposal_slug_max_length")),
        sa.CheckConstraint("length(title) <= 200", name=op.f("ck_proposal_title_max_length")),
        sa.CheckConstraint("length(trim(slug)) > 0", name=op.f("ck_proposal_slug_not_blank")),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_proposal_title_not_blank")),
        sa.CheckConstraint("slug = lower(slug)", name=op.f("ck_proposal_slug_lowercase")),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiation.id"],
            name=op.f("fk_proposal_negotiation_id_negotiation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint("id", "negotiation_id", name=op.f("uq_proposal_id_negotiation_id")),
        sa.UniqueConstraint("negotiation_id", "slug", name=op.f("uq_proposal_negotiation_id_slug")),
    )
    op.create_table(
        "proposal_author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["negotiation_id", "party_id"],
            ["participation.negotiation_id", "participation.party_id"],
            name=op.f("fk_proposal_author_negotiation_id_participation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id", "negotiation_id"],
            ["proposal.id", "proposal.negotiation_id"],
            name=op.f("fk_proposal_author_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_author")),
        sa.UniqueConstraint(
            "proposal_id", "party_id", name=op.f("uq_proposal_author_proposal_id_party_id")
        ),
    )
    with op.batch_alter_table("proposal_author", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_author_party_id"), ["party_id"], unique=False)

    op.create_table(
        "proposal_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_on_precision", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "issued_on_precision IN ('day', 'month', 'year')",
            name=op.f("ck_proposal_version_issued_on_precision_allowed"),
        ),
        sa.CheckConstraint(
            "status IN ('official', 'leaked', 'reported')",
            name=op.f("ck_proposal_version_status_allowed"),
        ),
        sa.CheckConstraint(
            "(position = 1 AND previous_id IS NULL) OR (position > 1 AND previous_id IS NOT NULL)",
            name=op.f("ck_proposal_version_first_has_no_previous"),
        ),
        sa.CheckConstraint(
            "length(label) <= 120", name=op.f("ck_proposal_version_label_max_length")
        ),
        sa.CheckConstraint("length(slug) <= 64", name=op.f("ck_proposal_version_slug_max_length")),
        sa.CheckConstraint(
            "length(trim(label)) > 0", name=op.f("ck_proposal_version_label_not_blank")
        ),
        sa.CheckConstraint(
            "length(trim(slug)) > 0", name=op.f("ck_proposal_version_slug_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id", "proposal_id"],
            ["proposal_version.id", "proposal_version.proposal_id"],
            name=op.f("fk_proposal_version_previous_id_proposal_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id", "negotiation_id"],
            ["proposal.id", "proposal.negotiation_id"],
            name=op.f("fk_proposal_version_proposal_id_proposal"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_proposal_version_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_version")),
        sa.UniqueConstraint(
            "id", "negotiation_id", name=op.f("uq_proposal_version_id_negotiation_id")
        ),
        sa.UniqueConstraint("id", "previous_id", name=op.f("uq_proposal_version_id_previous_id")),
        sa.UniqueConstraint("id", "proposal_id", name=op.f("uq_proposal_version_id_proposal_id")),
        sa.UniqueConstraint("previous_id", name=op.f("uq_proposal_version_previous_id")),
        sa.UniqueConstraint(
            "proposal_id", "position", name=op.f("uq_proposal_version_proposal_id_position")
        ),
        sa.UniqueConstraint(
            "proposal_id", "slug", name=op.f("uq_proposal_version_proposal_id_slug")
        ),
    )
    with op.batch_alter_table("proposal_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_version_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "proposal_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "length(excerpt) <= 4000", name=op.f("ck_proposal_point_excerpt_max_length")
        ),
        sa.CheckConstraint(
            "length(number) <= 16", name=op.f("ck_proposal_point_number_max_length")
        ),
        sa.CheckConstraint("length(text) <= 2000", name=op.f("ck_proposal_point_text_max_length")),
        sa.CheckConstraint(
            "length(trim(number)) > 0", name=op.f("ck_proposal_point_number_not_blank")
        ),
        sa.CheckConstraint("length(trim(text)) > 0", name=op.f("ck_proposal_point_text_not_blank")),
        sa.ForeignKeyConstraint(
            ["previous_version_id", "version_id"],
            ["proposal_version.previous_id", "proposal_version.id"],
            name=op.f("fk_proposal_point_previous_version_id_proposal_version"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id", "negotiation_id"],
            ["proposal_version.id", "proposal_version.negotiation_id"],
            name=op.f("fk_proposal_point_version_id_proposal_version"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_point")),
        sa.UniqueConstraint(
            "id", "negotiation_id", name=op.f("uq_proposal_point_id_negotiation_id")
        ),
        sa.UniqueConstraint(
            "id", "previous_version_id", name=op.f("uq_proposal_point_id_previous_version_id")
        ),
        sa.UniqueConstraint("id", "version_id", name=op.f("uq_proposal_point_id_version_id")),
        sa.UniqueConstraint(
            "version_id", "number", name=op.f("uq_proposal_point_version_id_number")
        ),
        sa.UniqueConstraint(
            "version_id", "position", name=op.f("uq_proposal_point_version_id_position")
        ),
    )
    op.create_table(
        "point_demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("demand_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.CheckConstraint("length(unit) <= 40", name=op.f("ck_point_demand_unit_max_length")),
        sa.CheckConstraint("stance BETWEEN -2 AND 2", name=op.f("ck_point_demand_stance_scale")),
        sa.CheckConstraint(
            "unit IS NULL OR value IS NOT NULL", name=op.f("ck_point_demand_unit_needs_value")
        ),
        sa.ForeignKeyConstraint(
            ["demand_id", "negotiation_id"],
            ["demand.id", "demand.negotiation_id"],
            name=op.f("fk_point_demand_demand_id_demand"),
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["point_id", "negotiation_id"],
            ["proposal_point.id", "proposal_point.negotiation_id"],
            name=op.f("fk_point_demand_point_id_proposal_point"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_demand")),
        sa.UniqueConstraint(
            "point_id", "demand_id", name=op.f("uq_point_demand_point_id_demand_id")
        ),
    )
    with op.batch_alter_table("point_demand", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_point_demand_demand_id"), ["demand_id"], unique=False)

    op.create_table(
        "point_lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "change IN ('unchanged', 'reworded', 'changed', 'merged', 'split')",
            name=op.f("ck_point_lineage_change_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["point_id", "previous_version_id"],
            ["proposal_point.id", "proposal_point.previous_version_id"],
            name=op.f("fk_point_lineage_point_id_proposal_point"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id", "previous_version_id"],
            ["proposal_point.id", "proposal_point.version_id"],
            name=op.f("fk_point_lineage_predecessor_id_proposal_point"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_lineage")),
        sa.UniqueConstraint(
            "point_id", "predecessor_id", name=op.f("uq_point_lineage_point_id_predecessor_id")
        ),
    )
    with op.batch_alter_table("point_lineage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_point_lineage_predecessor_id"), ["predecessor_id"], unique=False
        )
    _entity_types(NEW_ENTITY_TYPES)


def downgrade() -> None:
    # The revisions of rows that go with their tables, then the tables.
    op.execute(
        "DELETE FROM revision WHERE entity_type IN"
        " ('proposal', 'proposal_version', 'proposal_point')"
    )
    _entity_types(OLD_ENTITY_TYPES)
    with op.batch_alter_table("point_lineage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_point_lineage_predecessor_id"))

    op.drop_table("point_lineage")
    with op.batch_alter_table("point_demand", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_point_demand_demand_id"))

    op.drop_table("point_demand")
    op.drop_table("proposal_point")
    with op.batch_alter_table("proposal_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_version_source_id"))

    op.drop_table("proposal_version")
    with op.batch_alter_table("proposal_author", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_author_party_id"))

    op.drop_table("proposal_author")
    op.drop_table("proposal")
