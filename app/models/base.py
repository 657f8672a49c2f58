"""Declarative base, shared column types and the mixin every editable row uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    FromClause,
    Integer,
    MetaData,
    TypeDecorator,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: Alembic needs names to alter them, and SQLite batch mode needs them to
# recreate tables without losing them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """An editable row: a version number for optimistic concurrency and a snapshot for revisions.

    The version is compared explicitly by the write path (UPDATE … WHERE version = :form_version),
    because a stale edit form must lose even when the ORM never loaded the row twice.
    """

    # The fields a revision snapshot records, in display order; each model lists its own.
    SNAPSHOT_FIELDS: ClassVar[tuple[str, ...]]
    # The value of revision.entity_type for this model.
    ENTITY_TYPE: ClassVar[str]
    # Editors' rights (checked by app/revisions.py on every write): the column naming the
    # negotiation a row belongs to, if it belongs to one, and whether only admins write it.
    NEGOTIATION_COLUMN: ClassVar[str | None] = None
    ADMINS_ONLY: ClassVar[bool] = False

    if TYPE_CHECKING:
        id: Mapped[int]
        # Declarative gives each mapped class its table; the write path updates it directly.
        __table__: ClassVar[FromClause]

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, server_default=func.current_timestamp()
    )

    def bring_back_children(self, session: Any, snapshot: dict[str, Any]) -> None:
        """Rows a snapshot carries besides the row's own columns (a statement's conditions),
        written back when a revision is brought back. Most rows have none."""

    def snapshot(self) -> dict[str, Any]:
        """The row as JSON-safe values: what a revision stores and a diff compares."""
        return {name: _json_value(getattr(self, name)) for name in self.SNAPSHOT_FIELDS}


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def text_limits(
    column: str, max_length: int, *, required: bool = True
) -> tuple[CheckConstraint, ...]:
    """Length bounds in the database itself: SQLite ignores VARCHAR(n), so say it as a CHECK."""
    checks = [CheckConstraint(f"length({column}) <= {max_length}", name=f"{column}_max_length")]
    if required:
        checks.append(CheckConstraint(f"length(trim({column})) > 0", name=f"{column}_not_blank"))
    return tuple(checks)


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")
