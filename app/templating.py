"""The app's Jinja environment: where templates are, and the globals and filters they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import BytecodeCache, pass_context
from jinja2.bccache import Bucket
from jinja2_fragments.fastapi import Jinja2Blocks

from app.dates import format_date, format_date_short, iso_with_precision
from app.evidence import Evidence
from app.links import absolute_url, app_path
from app.positions import reading_of
from app.stances import SCALE, OffScale, Reading, Stance, scope_change

# Package data: they ship inside the wheel, so an installed Parley runs from any directory.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
HTMX_FILE = "vendor/htmx-2.0.11.min.js"


@pass_context
def path_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """A root-relative link: unlike url_for, it never bakes the request's Host into cached pages."""
    return app_path(context["request"].app, name, **params)


@pass_context
def absolute_url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """An absolute link from PARLEY_BASE_URL (canonical links, Open Graph), never from Host."""
    return absolute_url(context["request"], name, **params)


def pager_query(params: dict[str, Any], **changes: Any) -> str:
    """The query string of this view with some parameters changed; empty ones are left out."""
    merged = {**params, **changes}
    # Empty filters and page 1 are the defaults: leaving them out keeps one URL per view.
    kept = {k: v for k, v in merged.items() if v not in (None, "") and not (k == "page" and v == 1)}
    return urlencode(kept)


def _stance(value: int | None) -> Stance | None:
    return None if value is None else Stance(value)


def _position_of(statement: Any) -> Stance | OffScale | None:
    """The badge a statement shows: its stance, or its off-scale answer."""
    if getattr(statement, "stance", None) is not None:
        return Stance(statement.stance)
    off_scale = getattr(statement, "off_scale", None)
    return OffScale(off_scale) if off_scale else None


def _is_reported(statement: Any) -> bool:
    """Anonymous or second-hand evidence (issue 18): a Statement, or a matrix cell's row."""
    evidence = getattr(statement, "evidence", None)
    return evidence is not None and Evidence(evidence).reported


def _scope_change(previous: Reading | None, statement: Any) -> str | None:
    """ "now accepts it in full", for a shift from `previous` that changed only the scope."""
    current = statement if isinstance(statement, Reading) else reading_of(statement, False)
    return scope_change(previous, current)


class CompiledTemplates(BytecodeCache):
    """Templates' compiled code, kept in memory for the process and shared by its apps.

    Compiling the templates a page uses costs about 0.35 s (the layout, the matrix and their
    macros), once per environment, and every app has its own environment: without this, each
    app made in a process (a test's, a worker restarted by hand) compiles them all again. Jinja
    checks each entry against its template's source checksum, so a kept entry can never be
    stale; every environment here is made by make_templates, with the same options.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


def make_templates(**app_globals: Any) -> Jinja2Blocks:
    """One app's Jinja environment: create_app makes it and keeps it in `app.state.templates`.

    `app_globals` are what the templates need from the features above this module (the
    header's account, the matrix's kept cells), handed down by create_app.
    """
    templates = Jinja2Blocks(directory=TEMPLATES_DIR)
    env = templates.env
    env.globals.update(
        path_for=path_for,
        absolute_url=absolute_url_for,
        SCALE=SCALE,
        HTMX_FILE=HTMX_FILE,
        **app_globals,
    )
    env.filters.update(
        date_at=format_date,
        short_date_at=format_date_short,
        iso_at=iso_with_precision,
        stance=_stance,
        # Issue 18: a statement's place on the scale or off it, and its reading in words.
        position_of=_position_of,
        reading_words=lambda statement: reading_of(statement).words(),
        is_reported=_is_reported,
        scope_change=_scope_change,
        pager_query=pager_query,
    )
    # Templates are read once per process (restart to see edits): checking each file's mtime on
    # every render costs more than it saves in production.
    env.auto_reload = False
    env.bytecode_cache = COMPILED
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates
