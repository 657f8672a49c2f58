"""What readers were shown of a statement, from when to when (issue 19, item 4: `?recorded=`).

A temporal table: one row per span of time during which a statement was public (published and
not retracted) with one content, `valid_from` inclusive, `valid_to` exclusive (None: still
shown). Drafts never get a row; a retraction closes the open row; an edit of a published
statement closes it and opens the next. The write path keeps it (app/records.py, called by
app/revisions.py for every statement revision) and migration 0018 filled it from the revision
log, so "what the tracker showed at the end of 3 March" is one index probe per cell, as "the
position today" is (docs/design.md, "As the tracker showed it").
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dates import DatePrecision
from app.evidence import Evidence
from app.models.base import Base, UTCDateTime
from app.models.source import Source
from app.stances import OffScale, Stance

# The statement's columns a record copies from its revision's snapshot: everything readers'
# position pages show of a statement (its retraction is the end of a record, not a field).
RECORDED_FIELDS = (
    "party_id",
    "demand_id",
    "stance",
    "stated_on",
    "stated_on_precision",
    "speaker",
    "summary",
    "quote",
    "source_id",
    "off_scale",
    "partial",
    "scope_note",
    "alternative_to_id",
    "evidence",
    "evidence_outlet",
    "quote_language",
    "original_quote",
    "translated_by",
)


class StatementRecord(Base):
    """One statement as readers saw it between `valid_from` and `valid_to`.

    Pages read a record where they would read the statement it shows, so the attribute `id` is
    the statement's id (the column `statement_id`) and the record's own key is `record_id`: the
    links, templates and gap rules that take a Statement take a record unchanged.
    """

    __tablename__ = "statement_record"

    record_id: Mapped[int] = mapped_column("id", primary_key=True)
    id: Mapped[int] = mapped_column("statement_id", ForeignKey("statement.id", ondelete="RESTRICT"))
    # The revision whose snapshot this row copies (the log stays the source of truth).
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="RESTRICT"))
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    party_id: Mapped[int] = mapped_column(Integer)
    demand_id: Mapped[int] = mapped_column(Integer)
    stance: Mapped[int | None] = mapped_column(SmallInteger)
    stated_on: Mapped[dt.date] = mapped_column(Date)
    stated_on_precision: Mapped[str] = mapped_column(String(5))
    speaker: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"))
    off_scale: Mapped[str | None] = mapped_column(String(10))
    partial: Mapped[bool] = mapped_column(Boolean)
    scope_note: Mapped[str | None] = mapped_column(String(200))
    alternative_to_id: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(String(30))
    evidence_outlet: Mapped[str | None] = mapped_column(String(200))
    quote_language: Mapped[str | None] = mapped_column(String(35))
    original_quote: Mapped[str | None] = mapped_column(Text)
    translated_by: Mapped[str | None] = mapped_column(String(200))
    # Whether the snapshot carried "only if" conditions (the cell's qualifier).
    conditional: Mapped[bool] = mapped_column(Boolean)
    # The statement's latest public correction when this record began (migration 0019): a
    # day's view marks a cell corrected only if it had been by then.
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    correction_note: Mapped[str | None] = mapped_column(Text)

    # The source as it is now: a record keeps what the statement said, not its citation's title.
    source: Mapped[Source] = relationship(lazy="raise")

    __table_args__ = (
        # "The state valid at the end of day D" per cell: the current matrix's probe
        # (party, demand, stated_on DESC, id DESC), with the validity columns in the index so
        # rows not valid then are skipped inside it, without reading the table.
        Index(
            "ix_statement_record_position",
            "party_id",
            "demand_id",
            text("stated_on DESC"),
            text("statement_id DESC"),
            "valid_from",
            "valid_to",
        ),
        # The write path closes a statement's open record: at most one per statement.
        Index(
            "uq_statement_record_open",
            "statement_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
            sqlite_where=text("valid_to IS NULL"),
        ),
        Index("ix_statement_record_statement_id", "statement_id"),
        Index("ix_statement_record_revision_id", "revision_id"),
        Index("ix_statement_record_source_id", "source_id"),
    )

    # What templates and the gap rules ask of a statement: a record is public by definition.
    published_at = None
    retracted_at = None
    is_draft = False
    is_retracted = False

    @property
    def precision(self) -> DatePrecision:
        return DatePrecision(self.stated_on_precision)

    @property
    def stance_value(self) -> Stance | None:
        return None if self.stance is None else Stance(self.stance)

    @property
    def off_scale_value(self) -> OffScale | None:
        return None if self.off_scale is None else OffScale(self.off_scale)

    @property
    def evidence_value(self) -> Evidence | None:
        return Evidence(self.evidence) if self.evidence else None

    @property
    def is_reported(self) -> bool:
        value = self.evidence_value
        return value is not None and value.reported

    def __repr__(self) -> str:
        return f"<StatementRecord {self.record_id} of statement {self.id}>"
