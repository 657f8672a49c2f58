"""What every editor form shares: the version it was loaded at, and the conflict it can meet."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from app.exceptions import Refusal
from app.field_types import whole_number
from app.pages import render
from app.posted_forms import typed_text

# Ids beyond this are not records (the database's integer range).
MAX_VERSION = 2**31 - 1


@dataclass(frozen=True)
class ConflictRow:
    """One field on the conflict page: as stored now, and as this editor submitted it."""

    label: str
    stored: str
    theirs: str
    # Changed by the colleague and, differently, by this editor: the one field they must decide.
    both_changed: bool = False

    @property
    def differs(self) -> bool:
        return self.stored.strip() != self.theirs.strip()


def conflict_rows(
    labels: dict[str, str],
    stored: dict[str, str],
    theirs: dict[str, str],
    shown: dict[str, dict[str, str]] | None = None,
    both_changed: set[str] | None = None,
) -> list[ConflictRow]:
    """Field by field; `shown` maps a field's raw values (ids) to what a person reads."""
    shown = shown or {}
    both_changed = both_changed or set()

    def text(name: str, value: str) -> str:
        return shown.get(name, {}).get(value, value)

    return [
        ConflictRow(
            label,
            text(name, stored.get(name, "")),
            text(name, theirs.get(name, "")),
            name in both_changed,
        )
        for name, label in labels.items()
    ]


def merge_onto_stored(
    base: dict[str, str] | None, stored: dict[str, str], theirs: dict[str, str]
) -> tuple[dict[str, str], set[str]]:
    """The conflict form's values: this editor's changes applied on top of the stored version.

    A three-way merge against `base` (the version their form was loaded at, from the revision
    log): a field they left as it was takes the stored value, so their save does not undo a
    colleague's change to it; a field they changed keeps what they typed. Returns the values and
    the fields both changed, differently (theirs is in the form; the page points them out).
    Without a base, their whole form stands.
    """
    if base is None:
        return dict(theirs), set()
    merged: dict[str, str] = {}
    both: set[str] = set()
    for name, mine in theirs.items():
        before = base.get(name)
        now = stored.get(name, mine)
        if before is not None and mine.strip() == before.strip():
            merged[name] = now
        else:
            merged[name] = mine
            if before is not None and now.strip() not in (before.strip(), mine.strip()):
                both.add(name)
    return merged, both


def form_version(request: Request, form: dict[str, str]) -> int:
    """The version the form was loaded at; a form without one cannot be saved safely."""
    version = whole_number(form.get("version"), low=1, high=MAX_VERSION)
    if version is None:
        # The form was tampered with or mangled on its way: it cannot be saved safely, but what
        # the editor typed is shown back, to copy into the edit page opened afresh.
        raise Refusal(
            render(
                request,
                "errors/refused.html",
                {
                    "status": 400,
                    "title": "Not saved: the form's version is missing or unreadable",
                    "message": "The form did not say which version it was loaded at (version "
                    "must be a whole number from 1 to 2147483647, digits 0-9). Nothing was "
                    "saved. Open the edit page again.",
                    "typed": typed_text(form),
                    "hidden": {},
                    "resend": False,
                    "not_sent": "Copy what you need into the edit page opened afresh.",
                    "action": request.url.path,
                },
                status_code=400,
            )
        )
    return version
