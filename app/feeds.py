"""Atom feeds (feedgen): statements told as changes in words, and entry ids unique per instance.

Entry ids are tag: URIs (RFC 4151) whose authority is the instance's (settings.tag_authority)
and whose specific part is the record's id alone: they never change when a statement is edited
(a correction updates its entry) or a slug is renamed, and two instances never share one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feedgen.feed import FeedGenerator
from starlette.responses import Response

from app.changes import Change, ChangeKind
from app.dates import format_date
from app.models import Statement

# Feed `updated` for a feed without entries: any fixed instant keeps the document stable.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# A feed is bounded: the newest this many entries, whatever the history holds.
FEED_SIZE = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def tag(authority: str, specific: str) -> str:
    return f"tag:{authority}:{specific}"


def statement_entry_id(authority: str, statement_id: int) -> str:
    return tag(authority, f"statement/{statement_id}")


@dataclass(frozen=True)
class FeedHead:
    title: str
    feed_id: str
    self_url: str
    html_url: str
    site_name: str


def new_feed(head: FeedHead, updated: dt.datetime) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(head.feed_id)
    feed.title(head.title)
    feed.author({"name": head.site_name})
    feed.link(href=head.html_url, rel="alternate", type="text/html")
    feed.link(href=head.self_url, rel="self", type="application/atom+xml")
    feed.language("en")
    feed.updated(updated)
    return feed


def statement_feed(
    head: FeedHead,
    statements: Sequence[Statement],
    changes: dict[int, Change],
    *,
    authority: str,
    statement_url: Callable[[int], str],
    negotiation_titles: dict[int, str] | None = None,
) -> bytes:
    """`changes`: each statement's change in words (app/changes.py). `negotiation_titles`
    (id -> title): a feed across negotiations, whose entries each name theirs."""
    feed = new_feed(head, max((s.updated_at for s in statements), default=EPOCH))
    for statement in statements:
        change = changes[statement.id]
        when = format_date(statement.stated_on, statement.stated_on_precision)
        entry = feed.add_entry(order="append")  # keep our newest-first order
        entry.id(statement_entry_id(authority, statement.id))
        # Text constructs: feedgen escapes them, so markup in a summary stays text.
        title = change.title
        if negotiation_titles is not None:
            title = f"{negotiation_titles.get(statement.negotiation_id, '')}: {title}"
        entry.title(title)
        entry.link(href=statement_url(statement.id), rel="alternate", type="text/html")
        entry.published(statement.created_at)
        entry.updated(statement.updated_at)
        entry.category(term=change.kind.value, label=change.kind.label)
        if change.kind is ChangeKind.CORRECTION:
            entry.category(term=change.underlying.value, label=change.underlying.label)
        lines = [change.words, statement.summary]
        if statement.quote:
            lines.append(f"“{statement.quote}”")
        speaker = f"{statement.speaker}, " if statement.speaker else ""
        lines.append(
            f"{speaker}{when}. Source: {statement.source.title} ({statement.source.publisher})"
        )
        entry.summary(change.words)
        entry.content("\n\n".join(lines), type="text")
    return bytes(feed.atom_str(pretty=True))


def atom_response(body: bytes) -> Response:
    return Response(body, media_type=ATOM_TYPE)
