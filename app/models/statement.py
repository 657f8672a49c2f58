from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
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
    false,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship
from sqlalchemy.sql.elements import ColumnElement

from app.dates import DatePrecision

# --- evidence (issue 18 items 3-4): how the source knows, the original-language quote ---
from app.evidence import EVIDENCE_OUTLET_MAX, LANGUAGE_TAG_MAX, TRANSLATED_BY_MAX, Evidence
from app.models.base import Base, UTCDateTime, Versioned, one_of, text_limits
from app.models.demand import Demand
from app.models.party import Party
from app.models.source import Source
from app.models.statement_condition import StatementCondition
from app.models.user import User
from app.stances import OffScale, Stance

SPEAKER_MAX = 200
SUMMARY_MAX = 1000
QUOTE_MAX = 4000
REASON_MAX = 1000
SUBMISSION_KEY_MAX = 64
SCOPE_NOTE_MAX = 200

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
        # Scope, conditions, offers and off-scale answers (issue 18: app/nuance docs on /about).
        "off_scale",
        "partial",
        "scope_note",
        "alternative_to_id",
        # evidence (issue 18 items 3-4)
        "evidence",
        "evidence_outlet",
        "quote_language",
        "original_quote",
        "translated_by",
        # reactions (issue 17)
        "answers_version_id",
        "answers_point_id",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="RESTRICT"))
    demand_id: Mapped[int] = mapped_column(Integer)
    # Always the demand's negotiation (the composite key to demand follows a demand that moves,
    # ON UPDATE CASCADE); it is there so the database can check, with a second composite key to
    # participation, that the party takes part in those talks. Derived, so not in the snapshot.
    negotiation_id: Mapped[int] = mapped_column(Integer)
    # None exactly when the statement is off the scale (`off_scale` says how): such a statement
    # is a position readers see, but no distance to measure.
    stance: Mapped[int | None] = mapped_column(SmallInteger)
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
    # The latest public correction (migration 0019), kept on the row so that every cell that
    # shows the statement can mark it from the row it reads already; the corrections
    # themselves, all of them, are rows of statement_correction. Plumbing, not in the snapshot.
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    correction_note: Mapped[str | None] = mapped_column(Text)
    # --- end review ---

    # --- Scope, conditions and offers (issue 18). ---
    # "declined to say" or "ambiguous" (app.stances.OffScale) instead of a stance on the scale.
    off_scale: Mapped[str | None] = mapped_column(String(10))
    # The stance holds for part of the demand only; the note says which part.
    partial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    scope_note: Mapped[str | None] = mapped_column(String(SCOPE_NOTE_MAX))
    # One option of an either-or offer: the statement this one is the alternative to (same
    # party, same negotiation, checked by the database's composite key).
    alternative_to_id: Mapped[int | None] = mapped_column(Integer)
    # "Only if" conditions, child rows carried in the statement's revisions (see snapshot).
    conditions: Mapped[list[StatementCondition]] = relationship(
        lazy="raise",
        order_by="StatementCondition.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="statement",
        foreign_keys="[StatementCondition.statement_id]",
        primaryjoin="Statement.id == StatementCondition.statement_id",
    )
    # --- end of issue 18 columns. ---
    # --- evidence (issue 18 items 3-4) ---
    # How the source knows (None: not recorded, read as the source's own reporting).
    evidence: Mapped[str | None] = mapped_column(String(30))
    # The outlet the source cites, for Evidence.OTHER_OUTLET only.
    evidence_outlet: Mapped[str | None] = mapped_column(String(EVIDENCE_OUTLET_MAX))
    # The quote as said, in its language (a BCP 47 tag); `quote` then holds the English.
    quote_language: Mapped[str | None] = mapped_column(String(LANGUAGE_TAG_MAX))
    original_quote: Mapped[str | None] = mapped_column(Text)
    # Who made the English: the source, or the editor named.
    translated_by: Mapped[str | None] = mapped_column(String(TRANSLATED_BY_MAX))
    # --- end evidence ---
    # --- reactions (issue 17): "Ukraine rejects point 21" ---
    # The proposal version this statement answers, and optionally the one point of it. A point
    # always comes with its version, so "every reaction to a version" is one index range; both
    # are of the statement's own negotiation (composite keys below).
    answers_version_id: Mapped[int | None] = mapped_column(Integer)
    answers_point_id: Mapped[int | None] = mapped_column(Integer)
    # --- end reactions ---

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
        # --- issue 18: off the scale, partial, offers. ---
        one_of("off_scale", [o.value for o in OffScale]),
        CheckConstraint("(stance IS NULL) <> (off_scale IS NULL)", name="stance_or_off_scale"),
        *text_limits("scope_note", SCOPE_NOTE_MAX, required=False),
        # A partial stance says what part; an off-scale answer has no part to be partial about.
        CheckConstraint(
            "(partial AND scope_note IS NOT NULL AND off_scale IS NULL)"
            " OR (NOT partial AND scope_note IS NULL)",
            name="partial_has_scope",
        ),
        CheckConstraint(
            "alternative_to_id IS NULL OR alternative_to_id <> id", name="offer_of_two"
        ),
        # Targets for the composite keys of conditions and offers (id alone is unique already).
        Index("uq_statement_id_negotiation", "id", "negotiation_id", unique=True),
        Index("uq_statement_id_negotiation_party", "id", "negotiation_id", "party_id", unique=True),
        ForeignKeyConstraint(
            ["alternative_to_id", "negotiation_id", "party_id"],
            ["statement.id", "statement.negotiation_id", "statement.party_id"],
            ondelete="RESTRICT",
            name="fk_statement_alternative_to",
        ),
        Index("ix_statement_alternative_to_id", "alternative_to_id"),
        # --- end of issue 18 constraints. ---
        one_of("stated_on_precision", [p.value for p in DatePrecision]),
        *text_limits("speaker", SPEAKER_MAX, required=False),
        *text_limits("summary", SUMMARY_MAX),
        *text_limits("quote", QUOTE_MAX, required=False),
        *text_limits("retraction_reason", REASON_MAX, required=False),
        # --- evidence (issue 18 items 3-4; migration 0014) ---
        one_of("evidence", [e.value for e in Evidence]),
        CheckConstraint(
            "(evidence = 'other_outlet') = (evidence_outlet IS NOT NULL)"
            " AND (evidence_outlet IS NULL OR length(trim(evidence_outlet)) > 0)",
            name="evidence_outlet_named",
        ),
        CheckConstraint(
            f"length(evidence_outlet) <= {EVIDENCE_OUTLET_MAX}", name="evidence_outlet_max_length"
        ),
        CheckConstraint(
            f"length(quote_language) <= {LANGUAGE_TAG_MAX}", name="quote_language_max_length"
        ),
        CheckConstraint(f"length(original_quote) <= {QUOTE_MAX}", name="original_quote_max_length"),
        CheckConstraint(
            f"length(translated_by) <= {TRANSLATED_BY_MAX}", name="translated_by_max_length"
        ),
        CheckConstraint(
            "(original_quote IS NULL) = (quote_language IS NULL)"
            " AND (original_quote IS NULL OR length(trim(original_quote)) > 0)",
            name="original_quote_has_language",
        ),
        # --- end evidence ---
        # --- reactions (issue 17; migration 0020) ---
        CheckConstraint(
            "answers_point_id IS NULL OR answers_version_id IS NOT NULL",
            name="answers_point_needs_version",
        ),
        # The version is one of the statement's negotiation...
        ForeignKeyConstraint(
            ["answers_version_id", "negotiation_id"],
            ["proposal_version.id", "proposal_version.negotiation_id"],
            ondelete="RESTRICT",
            name="fk_statement_answers_version",
        ),
        # ...and the point one of that version (so of the same negotiation too).
        ForeignKeyConstraint(
            ["answers_point_id", "answers_version_id"],
            ["proposal_point.id", "proposal_point.version_id"],
            ondelete="RESTRICT",
            name="fk_statement_answers_point",
        ),
        # A version's reactions (and its points'): one range, whatever the statements.
        Index("ix_statement_answers", "answers_version_id", "answers_point_id"),
        # --- end reactions ---
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
        # The timeline's "newest published" order (migration 0019): a range scan backwards.
        Index(
            "ix_statement_published",
            "published_at",
            "id",
            postgresql_where=text(PUBLIC),
            sqlite_where=text(PUBLIC),
        ),
    )

    @property
    def stance_value(self) -> Stance | None:
        return None if self.stance is None else Stance(self.stance)

    # --- issue 18 ---
    @property
    def off_scale_value(self) -> OffScale | None:
        return None if self.off_scale is None else OffScale(self.off_scale)

    def snapshot(self) -> dict[str, Any]:
        """The row and its conditions: a revision brings both back (app/revisions.bring_back)."""
        values = super().snapshot()
        values["conditions"] = [c.snapshot() for c in self._current_conditions()]
        return values

    def bring_back_children(self, session: Any, snapshot: dict[str, Any]) -> None:
        """The conditions a revision recorded replace today's (older revisions have none)."""
        wanted = snapshot.get("conditions") or []
        for row in self._current_conditions():
            session.delete(row)
        session.flush()
        for item in wanted:
            session.add(
                StatementCondition(
                    statement_id=self.id,
                    negotiation_id=self.negotiation_id,
                    demand_id=item["demand_id"],
                    party_id=item.get("party_id"),
                    note=item.get("note"),
                )
            )
        session.flush()

    def _current_conditions(self) -> list[StatementCondition]:
        state = inspect(self)
        if "conditions" not in state.unloaded:
            return list(self.conditions)
        session = object_session(self)
        if session is None or self.id is None:
            return []
        return list(
            session.scalars(
                select(StatementCondition)
                .where(StatementCondition.statement_id == self.id)
                .order_by(StatementCondition.id)
            )
        )

    # --- end of issue 18 ---

    @property
    def precision(self) -> DatePrecision:
        return DatePrecision(self.stated_on_precision)

    @classmethod
    def is_public(cls) -> ColumnElement[bool]:
        """What readers' queries filter on: the PUBLIC predicate, term for term, so the
        planner (SQLite's above all, which matches terms) uses the partial indexes."""
        return and_(cls.retracted_at.is_(None), cls.published_at.is_not(None))

    @property
    def is_corrected(self) -> bool:
        return self.corrected_at is not None

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    # --- evidence (issue 18 item 3) ---
    @property
    def evidence_value(self) -> Evidence | None:
        return Evidence(self.evidence) if self.evidence else None

    @property
    def is_reported(self) -> bool:
        """Anonymous or second-hand: the position it gives is marked "reported"."""
        value = self.evidence_value
        return value is not None and value.reported

    # --- end evidence ---

    def __repr__(self) -> str:
        return f"<Statement {self.id} party={self.party_id} demand={self.demand_id}>"
