"""What every editor form shares: the version it was loaded at, and the conflict it can meet."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from app.errors import Refusal
from app.web import render

# Ids beyond this are not records (the database's integer range).
MAX_VERSION = 2**31 - 1


@dataclass(frozen=True)
class ConflictRow:
    """One field on the conflict page: as stored now, and as this editor submitted it."""

    label: str
    stored: str
    theirs: str

    @property
    def differs(self) -> bool:
        return self.stored.strip() != self.theirs.strip()


def conflict_rows(
    labels: dict[str, str],
    stored: dict[str, str],
    theirs: dict[str, str],
    shown: dict[str, dict[str, str]] | None = None,
) -> list[ConflictRow]:
    """Field by field; `shown` maps a field's raw values (ids) to what a person reads."""
    shown = shown or {}

    def text(name: str, value: str) -> str:
        return shown.get(name, {}).get(value, value)

    return [
        ConflictRow(label, text(name, stored.get(name, "")), text(name, theirs.get(name, "")))
        for name, label in labels.items()
    ]


def form_version(request: Request, form: dict[str, str]) -> int:
    """The version the form was loaded at; a form without one cannot be saved safely."""
    raw = form.get("version", "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_VERSION:
        raise Refusal(
            render(
                request,
                "errors/error.html",
                {
                    "status": 400,
                    "message": "The form did not say which version it was loaded at. "
                    "Nothing was saved. Open the edit page again.",
                },
                status_code=400,
            )
        )
    return int(raw)
