"""The revision log read back: who changed what, when, field by field.

Each revision stores the whole record after the write, so the diff of a revision is its
snapshot compared with the one before it (for a creation, every field it was created with).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session, joinedload

from app.dates import format_date
from app.field_labels import FIELD_LABELS
from app.models import Demand, Negotiation, Party, Revision, Source
from app.revisions import NOT_BROUGHT_BACK, values_from_snapshot
from app.stances import OffScale, Stance

_REFERENCES = {
    "negotiation_id": Negotiation,
    "party_id": Party,
    "demand_id": Demand,
    "source_id": Source,
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class HistoryEntry:
    revision: Revision
    changes: list[Change]
    # Whether bringing this revision back would change anything (retraction aside, which has
    # its own actions): no button for a version whose content is the current one.
    differs_from_current: bool = True

    @property
    def who(self) -> str:
        return self.revision.user.display_name

    @property
    def when(self) -> dt.datetime:
        return self.revision.created_at


def revisions_of(session: Session, entity_type: str, entity_id: int) -> list[Revision]:
    """Oldest first, each with the account that made it: one query."""
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
            .options(joinedload(Revision.user))
            .order_by(Revision.version)
        )
    )


def revision_at(
    session: Session, entity_type: str, entity_id: int, version: int
) -> Revision | None:
    """The record as it was at `version`: what an edit form loaded at that version showed."""
    return session.scalar(
        select(Revision).where(
            Revision.entity_type == entity_type,
            Revision.entity_id == entity_id,
            Revision.version == version,
        )
    )


def revision_of(
    session: Session, entity_type: str, entity_id: int, revision_id: int
) -> Revision | None:
    """Revision `revision_id`, if it is one of this record's (a URL may pair any two ids)."""
    revision = session.get(Revision, revision_id)
    if revision is None or (revision.entity_type, revision.entity_id) != (entity_type, entity_id):
        return None
    return revision


def as_of_revision(model: type[Any], revision: Revision | None) -> Any:
    """A transient (never saved) copy of the record as a revision recorded it."""
    if revision is None:
        return None
    return model(id=revision.entity_id, **values_from_snapshot(model, revision.snapshot))


def history(session: Session, entity_type: str, entity_id: int) -> list[HistoryEntry]:
    """Newest first: what each revision changed, with ids shown as the names they stand for."""
    revisions = revisions_of(session, entity_type, entity_id)
    names = _reference_names(session, revisions)
    entries = []
    before: dict[str, Any] = {}
    for revision in revisions:
        after = revision.snapshot
        changes = [
            Change(
                name,
                FIELD_LABELS.get(name, name),
                _shown(name, before.get(name), before, names) if before else None,
                _shown(name, after.get(name), after, names),
            )
            for name in after
            if not before or before.get(name) != after.get(name)
        ]
        entries.append(HistoryEntry(revision, [c for c in changes if before or c.after]))
        before = after
    if revisions:
        current = _content(revisions[-1].snapshot)
        entries = [
            HistoryEntry(e.revision, e.changes, _content(e.revision.snapshot) != current)
            for e in entries
        ]
    return entries[::-1]


def _content(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k not in NOT_BROUGHT_BACK}


def _reference_names(session: Session, revisions: list[Revision]) -> dict[tuple[str, int], str]:
    """Names of every negotiation, party, demand and source the snapshots mention, in one
    query."""
    wanted: dict[str, set[int]] = {field: set() for field in _REFERENCES}
    for revision in revisions:
        for field, ids in wanted.items():
            if isinstance(revision.snapshot.get(field), int):
                ids.add(revision.snapshot[field])
        for condition in revision.snapshot.get("conditions") or []:
            wanted["demand_id"].add(condition["demand_id"])
            if condition.get("party_id"):
                wanted["party_id"].add(condition["party_id"])
    parts = []
    if wanted["negotiation_id"]:
        parts.append(
            select(literal("negotiation_id"), Negotiation.id, Negotiation.title).where(
                Negotiation.id.in_(wanted["negotiation_id"])
            )
        )
    if wanted["party_id"]:
        parts.append(
            select(literal("party_id"), Party.id, Party.name).where(
                Party.id.in_(wanted["party_id"])
            )
        )
    if wanted["demand_id"]:
        parts.append(
            select(literal("demand_id"), Demand.id, Demand.title).where(
                Demand.id.in_(wanted["demand_id"])
            )
        )
    if wanted["source_id"]:
        parts.append(
            select(literal("source_id"), Source.id, Source.title).where(
                Source.id.in_(wanted["source_id"])
            )
        )
    if not parts:
        return {}
    return {(field, id_): name for field, id_, name in session.execute(union_all(*parts))}


def _shown(
    name: str, value: Any, snapshot: dict[str, Any], names: dict[tuple[str, int], str]
) -> str | None:
    if value is None or value == "":
        return None
    if name in _REFERENCES:
        # The name alone: the history is public, and a database id means nothing to a reader.
        return names.get((name, value), "a deleted record")
    if name == "stance":
        return Stance(value).label
    if name == "off_scale":
        return OffScale(value).label
    if name == "alternative_to_id":
        return f"statement #{value}"
    # reactions (issue 17): the record's number; the statement's page names it in words.
    if name == "answers_version_id":
        return f"proposal version #{value}"
    if name == "answers_point_id":
        return f"proposal point #{value}"
    if name == "conditions":
        # "Only if" rows: the demand (and party) by name, as elsewhere in the history.
        if not value:
            return None
        return "; ".join(
            "only if "
            + names.get(("demand_id", c["demand_id"]), "a deleted demand")
            + (
                f" (by {names.get(('party_id', c['party_id']), 'a deleted party')})"
                if c.get("party_id")
                else ""
            )
            + (f": {c['note']}" if c.get("note") else "")
            for c in value
        )
    if name in ("stated_on", "published_on"):
        precision = snapshot.get(f"{name}_precision") or "day"
        return format_date(dt.date.fromisoformat(value), precision)
    if name == "retracted_at":
        return format_date(dt.datetime.fromisoformat(value).date())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
