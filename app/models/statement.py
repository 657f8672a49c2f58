from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from app.dates import DatePrecision
from app.models.base import Base, UTCDateTime, Versioned, one_of, text_limits
from app.models.demand import Demand
from app.models.party import Party
from app.models.source import Source
from app.models.user import User
from app.stances import Stance

SPEAKER_MAX = 200
SUMMARY_MAX = 1000
QUOTE_MAX = 4000
REASON_MAX = 1000
SUBMISSION_KEY_MAX = 64

# --- review (issue 19): draft and publish ---------------------------------------------------
# What readers see: a statement that is published and not retracted. The partial indexes that
# positions, the timeline and the matrix read carry this very predicate, so a draft costs
# readers' queries nothing and no reader query can reach one without leaving its index.
PUBLIC = "retracted_at IS NULL AND published_at IS NOT NULL"
# --- end review ------------------------------------------------------------------------------


class Statement(Versioned, Base):
    """The dated, sourced record that a party took a stance on a demand.

    A retracted statement keeps its row (readers can still open it and see why) and simply drops
    out of positions.
    """

    __tablename__ = "statement"
    ENTITY_TYPE = "statement"
    NEGOTIATION_COLUMN = "negotiation_id"
    SNAPSHOT_FIELDS = (
        "party_id",
        "demand_id",
        "stance",
        "stated_on",
        "stated_on_precision",
        "speaker",
        "summary",
        "quote",
        "source_id",
        "retracted_at",
        "retraction_reason",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"))
    demand_id: Mapped[int] = mapped_column(Integer)
    # Always the demand's negotiation (the composite key to demand follows a demand that moves,
    # ON UPDATE CASCADE); it is there so the database can check, with a second composite key to
    # participation, that the party takes part in those talks. Derived, so not in the snapshot.
    negotiation_id: Mapped[int] = mapped_column(Integer)
    stance: Mapped[int] = mapped_column(SmallInteger)
    # The first day of the period known (see app/dates.py), with how much of it is known.
    stated_on: Mapped[dt.date] = mapped_column(Date)
    stated_on_precision: Mapped[str] = mapped_column(String(5))
    speaker: Mapped[str | None] = mapped_column(String(SPEAKER_MAX))
    summary: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    retracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    retraction_reason: Mapped[str | None] = mapped_column(Text)
    # A random key the add form carries: a double-clicked or replayed submit finds the statement
    # its first submit created instead of creating a second one. Unique in the database, so two
    # submits racing on two app servers still make one row (the loser's insert fails and it
    # answers with the winner's statement). Not part of the snapshot: it is plumbing, not content.
    submission_key: Mapped[str | None] = mapped_column(String(SUBMISSION_KEY_MAX))
    # --- review (issue 19) ---
    # None: a draft, seen by editors only. Set when a reviewer other than the author publishes
    # it (or at once, where the negotiation does not ask for review). Plumbing of the workflow,
    # not content, so not in the snapshot: publishing is its own revision, whose user is the
    # reviewer.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The last reviewer's note when a draft was sent back (None once published).
    review_comment: Mapped[str | None] = mapped_column(Text)
    # --- end review ---

    party: Mapped[Party] = relationship(lazy="raise")
    demand: Mapped[Demand] = relationship(lazy="raise")
    source: Mapped[Source] = relationship(lazy="raise")
    created_by: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (
        # A unique index, not a constraint: SQLite can add an index without recreating the table.
        Index("uq_statement_submission_key", "submission_key", unique=True),
        ForeignKeyConstraint(
            ["demand_id", "negotiation_id"],
            ["demand.id", "demand.negotiation_id"],
            ondelete="RESTRICT",
            onupdate="CASCADE",
        ),
        # The party must take part in the demand's negotiation; a participation with statements
        # cannot be removed or moved.
        ForeignKeyConstraint(
            ["negotiation_id", "party_id"],
            ["participation.negotiation_id", "participation.party_id"],
            ondelete="RESTRICT",
        ),
        CheckConstraint(
            f"stance BETWEEN {min(Stance).value} AND {max(Stance).value}", name="stance_scale"
        ),
        one_of("stated_on_precision", [p.value for p in DatePrecision]),
        *text_limits("speaker", SPEAKER_MAX, required=False),
        *text_limits("summary", SUMMARY_MAX),
        *text_limits("quote", QUOTE_MAX, required=False),
        *text_limits("retraction_reason", REASON_MAX, required=False),
        CheckConstraint(
            "(retracted_at IS NULL AND retraction_reason IS NULL) OR "
            "(retracted_at IS NOT NULL AND retraction_reason IS NOT NULL"
            " AND length(trim(retraction_reason)) > 0)",
            name="retraction_has_reason",
        ),
        # The matrix: one index probe per (party, demand) cell for "latest on or before a date".
        # Partial, so retracted statements cost nothing; id breaks ties between two statements
        # on one day, which still need a single "latest".
        Index(
            "ix_statement_position",
            "party_id",
            "demand_id",
            text("stated_on DESC"),
            text("id DESC"),
            postgresql_where=text(PUBLIC),
            sqlite_where=text(PUBLIC),
        ),
        # The timeline walks (stated_on, id) backwards from a keyset cursor: one range scan per
        # page at any depth, across all statements or one party's or one demand's.
        *(
            Index(
                name,
                *columns,
                "stated_on",
                "id",
                postgresql_where=text(PUBLIC),
                sqlite_where=text(PUBLIC),
            )
            for name, columns in [
                ("ix_statement_timeline", ()),
                ("ix_statement_party_timeline", ("party_id",)),
                ("ix_statement_demand_timeline", ("demand_id",)),
                # A negotiation's timeline, and its last statement (max(stated_on)): one
                # range scan, or one probe, whatever the other negotiations hold.
                ("ix_statement_negotiation_timeline", ("negotiation_id",)),
            ]
        ),
        # The same walk over every statement, retracted ones included: the CSV export with
        # include_retracted reads in short keyset chunks, and without this each chunk was a
        # full scan and sort (quadratic over the export).
        Index("ix_statement_stated_all", "stated_on", "id"),
        # --- review (issue 19) --- Drafts alone: the review queue, and the one small probe
        # by which search leaves them out.
        Index(
            "ix_statement_draft",
            "negotiation_id",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )

    @property
    def stance_value(self) -> Stance:
        return Stance(self.stance)

    @property
    def precision(self) -> DatePrecision:
        return DatePrecision(self.stated_on_precision)

    @classmethod
    def is_public(cls) -> ColumnElement[bool]:
        """What readers' queries filter on: the PUBLIC predicate, term for term, so the
        planner (SQLite's above all, which matches terms) uses the partial indexes."""
        return and_(cls.retracted_at.is_(None), cls.published_at.is_not(None))

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    def __repr__(self) -> str:
        return f"<Statement {self.id} party={self.party_id} demand={self.demand_id}>"
