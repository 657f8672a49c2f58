"""Negotiations (issue 16): demands belong to one negotiation, parties take part in negotiations.

- New tables negotiation and participation (versioned, with revisions like every editable row).
- demand.negotiation_id (NOT NULL); a demand's slug is unique within its negotiation only.
- statement.negotiation_id, kept equal to its demand's by a composite key to demand (id,
  negotiation_id) ON UPDATE CASCADE, and a composite key (negotiation_id, party_id) to
  participation: the database refuses a statement whose party does not take part in its
  demand's negotiation. The matrix's index ix_statement_position is unchanged.
- Existing rows: when there are parties or demands, one negotiation is made (DEFAULT_SLUG, its
  title editable afterwards), every demand moves into it and every party takes part in it as a
  party to the talks; each new row gets its creation revision, attributed to the system account
  (made, as app/users/service.py makes it, if the database has none).

On SQLite, demand and statement are rebuilt (batch mode) with foreign keys off (app/migrate.py,
checked before the commit by env.py). A rebuild drops the table's triggers and the indexes
Alembic cannot reflect (partial and DESC ones), so statement's full-text triggers (0003) and
those indexes are dropped first and made again after.

Downgrade folds the one negotiation back (its revisions and those of participations go with
the tables they describe); it refuses while there is a second negotiation, whose demands'
slugs could clash and whose talks would merge into one matrix.

Revision ID: 0007
Revises: 0006

"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_SLUG = "russia-ukraine"
DEFAULT_TITLE = "Russia–Ukraine talks"
SYSTEM_EMAIL = "system@parley.invalid"

OLD_ENTITY_TYPES = ("party", "demand", "source", "statement", "user")
NEW_ENTITY_TYPES = (*OLD_ENTITY_TYPES, "negotiation", "participation")

LIVE = sa.text("retracted_at IS NULL")

# What 0003 made on statement and a SQLite rebuild loses: made again after it.
STATEMENT_FTS_TRIGGERS = {
    "statement_fts_insert": """CREATE TRIGGER statement_fts_insert AFTER INSERT ON statement BEGIN
        INSERT INTO statement_fts(rowid, summary, quote, speaker)
        VALUES (new.id, new.summary, new.quote, new.speaker);
    END""",
    "statement_fts_delete": """CREATE TRIGGER statement_fts_delete AFTER DELETE ON statement BEGIN
        INSERT INTO statement_fts(statement_fts, rowid, summary, quote, speaker)
        VALUES ('delete', old.id, old.summary, old.quote, old.speaker);
    END""",
    "statement_fts_update": """CREATE TRIGGER statement_fts_update
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
    for name in [
        "ix_statement_position",
        "ix_statement_timeline",
        "ix_statement_party_timeline",
        "ix_statement_demand_timeline",
    ]:
        op.drop_index(name, table_name="statement")


def _make_statement_extras() -> None:
    op.create_index(
        "ix_statement_position",
        "statement",
        ["party_id", "demand_id", sa.text("stated_on DESC"), sa.text("id DESC")],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    for name, columns in [
        ("ix_statement_timeline", ["stated_on", "id"]),
        ("ix_statement_party_timeline", ["party_id", "stated_on", "id"]),
        ("ix_statement_demand_timeline", ["demand_id", "stated_on", "id"]),
    ]:
        op.create_index(name, "statement", columns, postgresql_where=LIVE, sqlite_where=LIVE)
    for sql in STATEMENT_FTS_TRIGGERS.values():
        op.execute(sql)


def _entity_types(types: Sequence[str]) -> None:
    allowed = ", ".join(f"'{t}'" for t in types)
    with op.batch_alter_table("revision") as batch:
        batch.drop_constraint(op.f("ck_revision_entity_type_allowed"), type_="check")
        batch.create_check_constraint("entity_type_allowed", f"entity_type IN ({allowed})")


def upgrade() -> None:
    op.create_table(
        "negotiation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_changed_on", sa.Date(), nullable=True),
        sa.Column("display_order", sa.Integer(), nullable=False),
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
            "length(description) <= 1000", name=op.f("ck_negotiation_description_max_length")
        ),
        sa.CheckConstraint("length(slug) <= 64", name=op.f("ck_negotiation_slug_max_length")),
        sa.CheckConstraint("length(trim(slug)) > 0", name=op.f("ck_negotiation_slug_not_blank")),
        sa.CheckConstraint("slug = lower(slug)", name=op.f("ck_negotiation_slug_lowercase")),
        sa.CheckConstraint("length(title) <= 200", name=op.f("ck_negotiation_title_max_length")),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_negotiation_title_not_blank")),
        sa.CheckConstraint(
            "status IN ('active', 'stalled', 'concluded')",
            name=op.f("ck_negotiation_status_allowed"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_negotiation")),
        sa.UniqueConstraint("slug", name=op.f("uq_negotiation_slug")),
    )
    op.create_table(
        "participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
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
            "role IN ('party', 'mediator', 'guarantor', 'observer')",
            name=op.f("ck_participation_role_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiation.id"],
            name=op.f("fk_participation_negotiation_id_negotiation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["party.id"],
            name=op.f("fk_participation_party_id_party"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
        sa.UniqueConstraint(
            "negotiation_id", "party_id", name=op.f("uq_participation_negotiation_id_party_id")
        ),
    )
    op.create_index(op.f("ix_participation_party_id"), "participation", ["party_id"])
    _entity_types(NEW_ENTITY_TYPES)

    negotiation_id = _move_existing_rows()

    op.add_column("demand", sa.Column("negotiation_id", sa.Integer(), nullable=True))
    if negotiation_id is not None:
        op.execute(sa.text("UPDATE demand SET negotiation_id = :id").bindparams(id=negotiation_id))
    with op.batch_alter_table("demand") as batch:
        batch.alter_column("negotiation_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_demand_negotiation_id_negotiation"),
            "negotiation",
            ["negotiation_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.drop_constraint(op.f("uq_demand_slug"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_demand_negotiation_id_slug"), ["negotiation_id", "slug"]
        )
        batch.create_unique_constraint(
            op.f("uq_demand_id_negotiation_id"), ["id", "negotiation_id"]
        )

    op.add_column("statement", sa.Column("negotiation_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE statement SET negotiation_id ="
        " (SELECT demand.negotiation_id FROM demand WHERE demand.id = statement.demand_id)"
    )
    if _sqlite():
        _drop_statement_extras()
    with op.batch_alter_table("statement") as batch:
        batch.alter_column("negotiation_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(op.f("fk_statement_demand_id_demand"), type_="foreignkey")
        batch.create_foreign_key(
            op.f("fk_statement_demand_id_demand"),
            "demand",
            ["demand_id", "negotiation_id"],
            ["id", "negotiation_id"],
            ondelete="RESTRICT",
            onupdate="CASCADE",
        )
        batch.create_foreign_key(
            op.f("fk_statement_negotiation_id_participation"),
            "participation",
            ["negotiation_id", "party_id"],
            ["negotiation_id", "party_id"],
            ondelete="RESTRICT",
        )
    if _sqlite():
        _make_statement_extras()


def _move_existing_rows() -> int | None:
    """The one negotiation today's rows move into, with its participations; None if empty."""
    bind = op.get_bind()
    parties = bind.execute(sa.text("SELECT id FROM party ORDER BY id")).scalars().all()
    demands = bind.execute(sa.text("SELECT count(*) FROM demand")).scalar_one()
    if not parties and not demands:
        return None
    now = dt.datetime.now(dt.UTC)
    user_id = _system_user(now)
    negotiation_id = _insert(
        "negotiation",
        {
            "slug": DEFAULT_SLUG,
            "title": DEFAULT_TITLE,
            "description": "",
            "status": "active",
            "status_changed_on": None,
            "display_order": 0,
        },
        now=now,
        user_id=user_id,
    )
    for order, party_id in enumerate(parties):
        _insert(
            "participation",
            {
                "negotiation_id": negotiation_id,
                "party_id": party_id,
                "role": "party",
                "display_order": order * 10,
            },
            now=now,
            user_id=user_id,
        )
    return negotiation_id


def _insert(table: str, snapshot: dict[str, object], *, now: dt.datetime, user_id: int) -> int:
    """A new row at version 1 and its creation revision, whose snapshot is exactly what the
    model's snapshot() gives for it (the fields here are its SNAPSHOT_FIELDS)."""
    bind = op.get_bind()
    columns = {**snapshot, "version": 1, "created_at": now, "updated_at": now}
    names = ", ".join(columns)
    params = ", ".join(f":{name}" for name in columns)
    row_id: int = bind.execute(
        sa.text(f"INSERT INTO {table} ({names}) VALUES ({params}) RETURNING id"), columns
    ).scalar_one()
    _revision(table, row_id, snapshot, now=now, user_id=user_id)
    return row_id


def _revision(
    entity_type: str, entity_id: int, snapshot: dict[str, object], *, now: dt.datetime, user_id: int
) -> None:
    revision_table = sa.table(
        "revision",
        sa.column("entity_type"),
        sa.column("entity_id"),
        sa.column("version"),
        sa.column("action"),
        sa.column("snapshot", sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")),
        sa.column("reason"),
        sa.column("user_id"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.get_bind().execute(
        revision_table.insert().values(
            entity_type=entity_type,
            entity_id=entity_id,
            version=1,
            action="create",
            snapshot=snapshot,
            reason=None,
            user_id=user_id,
            created_at=now,
        )
    )


def _system_user(now: dt.datetime) -> int:
    """The system account's id; made as app/users/service.py's system_user() makes it."""
    bind = op.get_bind()
    found = bind.execute(
        sa.text('SELECT id FROM "user" WHERE email = :email'), {"email": SYSTEM_EMAIL}
    ).scalar()
    if found is not None:
        return int(found)
    snapshot = {
        "email": SYSTEM_EMAIL,
        "display_name": "Parley (system)",
        "role": "system",
        "is_active": False,
        "second_factor": False,
    }
    values = {
        "email": SYSTEM_EMAIL,
        "display_name": "Parley (system)",
        "password_hash": None,
        "role": "system",
        "is_active": False,
        "session_version": 1,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    names = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    user_id: int = bind.execute(
        sa.text(f'INSERT INTO "user" ({names}) VALUES ({params}) RETURNING id'), values
    ).scalar_one()
    _revision("user", user_id, snapshot, now=now, user_id=user_id)
    return user_id


def downgrade() -> None:
    bind = op.get_bind()
    negotiations = bind.execute(sa.text("SELECT count(*) FROM negotiation")).scalar_one()
    if negotiations > 1:
        raise RuntimeError(
            f"cannot downgrade below 0007: there are {negotiations} negotiations, "
            "and the older schema holds one set of talks; remove all but one first"
        )
    if _sqlite():
        _drop_statement_extras()
    with op.batch_alter_table("statement") as batch:
        batch.drop_constraint(op.f("fk_statement_negotiation_id_participation"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_statement_demand_id_demand"), type_="foreignkey")
        batch.create_foreign_key(
            op.f("fk_statement_demand_id_demand"),
            "demand",
            ["demand_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.drop_column("negotiation_id")
    if _sqlite():
        _make_statement_extras()
    with op.batch_alter_table("demand") as batch:
        batch.drop_constraint(op.f("uq_demand_id_negotiation_id"), type_="unique")
        batch.drop_constraint(op.f("uq_demand_negotiation_id_slug"), type_="unique")
        batch.create_unique_constraint(op.f("uq_demand_slug"), ["slug"])
        batch.drop_constraint(op.f("fk_demand_negotiation_id_negotiation"), type_="foreignkey")
        batch.drop_column("negotiation_id")
    # The only revisions there are of rows that go: the log of what remains is untouched.
    op.execute("DELETE FROM revision WHERE entity_type IN ('negotiation', 'participation')")
    _entity_types(OLD_ENTITY_TYPES)
    op.drop_index(op.f("ix_participation_party_id"), table_name="participation")
    op.drop_table("participation")
    op.drop_table("negotiation")
