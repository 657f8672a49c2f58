"""Whole-dataset export and import as JSON lines: move or restore an instance without loss.

Every row of every table (accounts with their password hashes, parties, demands, sources,
statements and the whole revision log), ids included, in foreign-key order. The first line
names the format and the schema revision; the last line carries the row counts, so a truncated
file is refused instead of half-imported. Import goes into an empty database at the same schema
revision, in one transaction: all of it or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy import Connection, Date, DateTime, Table, func, insert, select, text

from app.dates import stored_date_range
from app.models import Base
from app.models.base import UTCDateTime

FORMAT = "parley-export"
FORMAT_VERSION = 1
BATCH = 1000


class ImportRefused(Exception):
    """The file or the target database is not fit for an import; nothing was written."""


def tables() -> list[Table]:
    """Our tables, each after the ones it refers to."""
    return list(Base.metadata.sorted_tables)


def export_records(connection: Connection) -> Iterator[dict[str, Any]]:
    """The dataset, record by record; read it in one transaction for a consistent snapshot."""
    counts: dict[str, int] = {}
    yield {"format": FORMAT, "format_version": FORMAT_VERSION, "schema": schema(connection)}
    for table in tables():
        columns = _stored_columns(table)
        counts[table.name] = 0
        result = connection.execution_options(yield_per=BATCH).execute(
            select(*columns).order_by(*table.primary_key.columns)
        )
        for row in result:
            counts[table.name] += 1
            yield {"table": table.name, "row": dict(row._mapping)}
    yield {"end": True, "counts": counts}


def export_lines(connection: Connection) -> Iterator[str]:
    return (_dump(record) for record in export_records(connection))


def write_export(connection: Connection, out: IO[str]) -> dict[str, int]:
    """Write the export as JSON lines; returns the number of rows per table."""
    counts: dict[str, int] = {}
    for record in export_records(connection):
        out.write(_dump(record) + "\n")
        counts = record.get("counts", counts)
    return counts


def import_lines(connection: Connection, lines: Iterable[str]) -> dict[str, int]:
    """Load an export into this (empty, migrated) database; the caller's transaction holds it."""
    iterator = iter(lines)
    header = _load(next(iterator, ""), 1)
    if header.get("format") != FORMAT or header.get("format_version") != FORMAT_VERSION:
        raise ImportRefused("this is not a Parley export (or one of an unknown format version)")
    if header.get("schema") != schema(connection):
        raise ImportRefused(
            f"the export is at schema revision {header.get('schema')!r} but this database is at "
            f"{schema(connection)!r}: migrate one to match the other first"
        )
    by_name = {table.name: table for table in tables()}
    for existing in by_name.values():
        if connection.scalar(select(func.count()).select_from(existing)):
            raise ImportRefused(f"the database is not empty (table {existing.name!r} has rows)")

    counts = dict.fromkeys(by_name, 0)
    batch: list[dict[str, Any]] = []
    batch_table: Table | None = None
    footer: dict[str, Any] | None = None
    for number, line in enumerate(iterator, start=2):
        if not line.strip():
            continue
        record = _load(line, number)
        if record.get("end"):
            footer = record
            break
        table = by_name.get(record.get("table", ""))
        if table is None:
            raise ImportRefused(f"line {number}: unknown table {record.get('table')!r}")
        if table is not batch_table or len(batch) >= BATCH:
            _flush(connection, batch_table, batch)
            batch, batch_table = [], table
        batch.append(_decode(table, record["row"]))
        counts[table.name] += 1
    _flush(connection, batch_table, batch)
    if footer is None:
        raise ImportRefused("the file ends before its last line: it was cut short")
    if footer["counts"] != counts:
        raise ImportRefused(f"row counts differ from the export's own: {footer['counts']}")
    _reset_sequences(connection)
    return counts


def schema(connection: Connection) -> str | None:
    version: str | None = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return version


def _stored_columns(table: Table) -> list[Any]:
    # Generated columns (such as a search vector) are the database's to compute.
    return [column for column in table.columns if column.computed is None]


def _flush(connection: Connection, table: Table | None, rows: list[dict[str, Any]]) -> None:
    if table is not None and rows:
        connection.execute(insert(table), rows)


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for column in _stored_columns(table):
        value = row.get(column.name)
        if isinstance(value, str) and isinstance(column.type, DateTime | UTCDateTime):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            value = dt.date.fromisoformat(value)
            # The range every form and service keeps to (app/field_types.py StoredDate): an import
            # is a way in too, and a year-1 date would stretch every chart over two millennia.
            earliest, latest = stored_date_range()
            if not earliest <= value <= latest:
                raise ImportRefused(
                    f"{table.name}.{column.name} {value.isoformat()} is outside "
                    f"{earliest.isoformat()} to {latest.isoformat()}"
                )
        decoded[column.name] = value
    return decoded


def _reset_sequences(connection: Connection) -> None:
    # Rows came with their ids; PostgreSQL's sequences must continue after the highest.
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        if "id" in table.columns:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                    f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
                ),
                {"table": f'"{table.name}"'},
            )


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _load(line: str, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ImportRefused(f"line {number} is not JSON: {error}") from None
    if not isinstance(record, dict):
        raise ImportRefused(f"line {number} is not a JSON object")
    return record
