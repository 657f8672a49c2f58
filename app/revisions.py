"""The revision log: every accepted write appends one revision, in the write's own transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Table, UniqueConstraint, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.db import rows_changed
from app.exceptions import AlreadyTaken, NotYourNegotiation
from app.models import Action, Negotiation, Revision, Statement, StatementCorrection, User
from app.models.base import Versioned, utcnow
from app.outbox import record_statement_event
from app.records import record_statement

V = TypeVar("V", bound=Versioned)


def record_revision(
    session: Session,
    entity: Versioned,
    *,
    action: Action,
    user: User,
    reason: str | None = None,
) -> Revision:
    """Append the entity's current state as a revision. Call after the row itself is written.

    Every write comes through here, so this is where editors' rights are checked: the row as
    written must be in a negotiation `user` may edit (update_with_revision checks the row as it
    was, too). A refusal raises, and the request's transaction takes the row back with it.
    """
    check_may_write(session, entity, user)
    revision = Revision(
        entity_type=entity.ENTITY_TYPE,
        entity_id=entity.id,
        version=entity.version,
        action=action.value,
        snapshot=entity.snapshot(),
        reason=reason,
        user_id=user.id,
        created_at=utcnow(),
    )
    session.add(revision)
    session.flush()
    if isinstance(entity, Statement):
        # The webhooks' outbox, in this same transaction: saved and told, or neither.
        record_statement_event(session, entity, revision)
        # What readers are shown of it from now on (?recorded=, app/records.py): same
        # transaction, so the record and the log cannot disagree.
        record_statement(
            session,
            entity.id,
            revision,
            public=entity.published_at is not None and entity.retracted_at is None,
            corrected_at=entity.corrected_at,
            correction_note=entity.correction_note,
        )
    # Tells app.caching that this commit changes the data version.
    session.info["wrote_revisions"] = True
    return revision


def add_with_revision(session: Session, entity: Versioned, *, user: User) -> None:
    """Insert a new row at version 1 and log its creation."""
    entity.version = 1
    session.add(entity)
    session.flush()
    record_revision(session, entity, action=Action.CREATE, user=user)


def check_may_write(
    session: Session, entity: Versioned, user: User, values: dict[str, Any] | None = None
) -> None:
    """Raise NotYourNegotiation unless `user` may write `entity` as it is (and, with `values`,
    as it will be): its negotiation is one the account edits, and admins' rows are an admin's.
    """
    if entity.ADMINS_ONLY and not user.writes_negotiations:
        raise NotYourNegotiation(
            "Only admins add and change negotiations and who takes part in them. Nothing was saved."
        )
    column = entity.NEGOTIATION_COLUMN
    if column is None or user.edits_every_negotiation:
        return
    wanted = [getattr(entity, column)]
    if values is not None and column in values:
        wanted.append(values[column])
    for negotiation_id in wanted:
        if negotiation_id is not None:
            check_edits_negotiation(session, user, negotiation_id)


def check_edits_negotiation(session: Session, user: User, negotiation_id: int) -> None:
    """Raise NotYourNegotiation unless `user` edits that negotiation: what check_may_write asks
    of a row, for a form that creates one there (a new proposal) before any row exists."""
    if user.may_edit_negotiation(negotiation_id):
        return
    negotiation = session.get(Negotiation, negotiation_id)
    talks = f"“{negotiation.title}”" if negotiation else "that negotiation"
    raise NotYourNegotiation(
        f"Your account does not edit {talks}. Nothing was saved; an admin can give "
        "you these talks on your account's page."
    )


class StaleVersion(Exception):
    """The form was loaded at a version that is no longer the stored one: someone saved first.

    Carries the row as it is stored now, so the conflict page can show it beside the editor's.
    """

    def __init__(self, current: Versioned, submitted_version: int) -> None:
        super().__init__(
            f"{current.ENTITY_TYPE} {current.id} is at version {current.version}, "
            f"the form was loaded at {submitted_version}"
        )
        self.current = current
        self.submitted_version = submitted_version


def update_with_revision(
    session: Session,
    entity: V,
    values: dict[str, Any],
    *,
    form_version: int,
    action: Action,
    user: User,
    reason: str | None = None,
    correction: Correction | None = None,
) -> V:
    """Write `values` to the row if it is still at `form_version`, and log the new version.

    With `correction` (a statement only), the edit is a public correction: the row carries it
    as its latest (for cells) and a statement_correction row ties the note to this revision.

    The version check and the write are one statement (UPDATE … WHERE id = :id AND version =
    :form_version): two editors saving at once cannot both pass a check made before the write.
    Raises StaleVersion, without writing anything, when the row has moved on.
    """
    check_may_write(session, entity, user, values)
    model = type(entity)
    table = _table(model)
    now = utcnow()
    if correction is not None:
        values = {**values, "corrected_at": now, "correction_note": correction.note}
    written = rows_changed(
        session,
        update(table)
        .where(table.c.id == entity.id, table.c.version == form_version)
        .values(**values, version=form_version + 1, updated_at=now),
    )
    # Reload: either the row we just wrote, or the stored one that beat us.
    # With the relationships its snapshot lists (a proposal's authors), which the reload resets.
    loads = [
        selectinload(getattr(model, name)) for name in getattr(model, "SNAPSHOT_RELATIONS", ())
    ]
    current = session.get(model, entity.id, populate_existing=True, options=loads)
    if written != 1 or current is None:
        if current is None:
            raise LookupError(f"{model.ENTITY_TYPE} {entity.id} no longer exists")
        raise StaleVersion(current, form_version)
    revision = record_revision(session, current, action=action, user=user, reason=reason)
    if correction is not None:
        # Corrections are of statements: the column that names its negotiation says where.
        column = current.NEGOTIATION_COLUMN
        assert column is not None, "only a statement is corrected"
        session.add(
            StatementCorrection(
                statement_id=current.id,
                revision_id=revision.id,
                negotiation_id=getattr(current, column),
                note=correction.note,
                fields=",".join(correction.fields),
                user_id=user.id,
                created_at=now,
            )
        )
        session.flush()
    return current


@dataclass(frozen=True)
class Correction:
    """A public correction of a published statement: the note readers read, and which of the
    announced fields it changed (column names)."""

    note: str
    fields: tuple[str, ...]


def _table(model: type[Versioned]) -> Table:
    """The model's table: updated directly, so the ORM neither loads nor evaluates the rows."""
    table = model.__table__
    assert isinstance(table, Table)  # every model is declared on a table, never a query
    return table


def values_from_snapshot(model: type[Versioned], snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's JSON values turned back into column values, for bringing a revision back."""
    table = _table(model)
    values: dict[str, Any] = {}
    for name, value in snapshot.items():
        if name not in table.c:
            continue
        python_type = _python_type(table.c[name].type)
        if value is not None and python_type is dt.datetime:
            value = dt.datetime.fromisoformat(value)
        elif value is not None and python_type is dt.date:
            value = dt.date.fromisoformat(value)
        values[name] = value
    return values


def _python_type(column_type: Any) -> type | None:
    # A TypeDecorator (our UTCDateTime) answers for the type it wraps.
    column_type = getattr(column_type, "impl_instance", column_type)
    try:
        python_type: type = column_type.python_type
        return python_type
    except NotImplementedError:
        return None


# Retraction has its own actions (retract and restore, each with its reason); bringing back an
# older wording of a statement must not quietly un-retract it. Accounts are managed on their page.
NOT_BROUGHT_BACK = frozenset({"retracted_at", "retraction_reason", "is_active", "role"})


def bring_back(
    session: Session,
    entity: V,
    revision: Revision,
    *,
    form_version: int,
    user: User,
    correction: Correction | None = None,
) -> V:
    """Write an earlier revision's content as a new version (nothing in between is lost).
    `correction`: what readers are told when it changes a published statement's facts."""
    if (revision.entity_type, revision.entity_id) != (entity.ENTITY_TYPE, entity.id):
        raise ValueError("that revision belongs to another record")
    model = type(entity)
    values = {
        name: value
        for name, value in values_from_snapshot(model, revision.snapshot).items()
        if name not in NOT_BROUGHT_BACK
    }
    _check_unique_values(session, entity, values)
    if entity.version == form_version:
        # Child rows first, so the revision the update records carries them (a stale form
        # is refused below and the request's transaction takes them back).
        entity.bring_back_children(session, revision.snapshot)
    return update_with_revision(
        session,
        entity,
        values,
        form_version=form_version,
        action=Action.REVERT,
        user=user,
        reason=f"brought back version {revision.version}",
        correction=correction,
    )


def _check_unique_values(session: Session, entity: Versioned, values: dict[str, Any]) -> None:
    # An old slug or URL may have been given to another record since: checked for every unique
    # column, and every unique set of columns (a demand's slug is unique within its
    # negotiation), with the values the row would have after the write.
    table = _table(type(entity))
    after = {c.name: values.get(c.name, getattr(entity, c.name)) for c in table.c}
    for columns in _unique_sets(table):
        changed = [c for c in columns if c.name in values]
        if not changed or any(after[c.name] is None for c in columns):
            continue
        other = session.scalar(
            select(table.c.id).where(
                *(c == after[c.name] for c in columns), table.c.id != entity.id
            )
        )
        if other is not None:
            name = changed[-1].name
            raise AlreadyTaken(
                name, f"another record (#{other}) now has this {name}: {after[name]}"
            )


def _unique_sets(table: Table) -> list[list[Any]]:
    sets = [[column] for column in table.c if column.unique]
    sets += [
        list(constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    # (id, negotiation_id) is unique because id is: no other row can share it.
    return [columns for columns in sets if not any(c.primary_key for c in columns)]


def revision_page(
    session: Session, entity_type: str, entity_id: int, before: int | None, size: int
) -> tuple[list[Revision], int | None]:
    """A record's revisions newest first, `size` at a time, and the id the next page starts
    before (None on the last page). Keyset on the revision id: one probe of the unique
    (entity_type, entity_id, version) index per page, and rows never repeat between pages."""
    query = (
        select(Revision)
        .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
        .order_by(Revision.id.desc())
        .limit(size + 1)
        # Only the author's display name is shown; the user row never leaves this module whole.
        .options(joinedload(Revision.user))
    )
    if before is not None:
        query = query.where(Revision.id < before)
    rows = list(session.scalars(query))
    shown = rows[:size]
    return shown, (shown[-1].id if len(rows) > size and shown else None)
