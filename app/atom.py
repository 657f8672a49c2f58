"""What every Atom feed of Parley shares (feedgen): entry ids and the feed's head."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from feedgen.feed import FeedGenerator

# Entry ids are tag: URIs (RFC 4151) built from a record's id alone: they never change when the
# site moves to another host or the record is edited, so readers never see an entry twice.
TAG_AUTHORITY = "parley.statements,2026"
# Feed `updated` for a feed without entries: any fixed instant keeps the document stable.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def tag_id(kind: str, record_id: int) -> str:
    """An entry's id: `kind` names the table ("statement", "proposal-version")."""
    return f"tag:{TAG_AUTHORITY}:{kind}/{record_id}"


def new_feed(
    *,
    title: str,
    feed_id: str,
    self_url: str,
    html_url: str,
    site_name: str,
    updated: Iterable[dt.datetime],
) -> FeedGenerator:
    """A feed with its head filled in; `updated`: its entries' times (the newest is the feed's).
    Entries are added by the caller with `add_entry(order="append")`, newest first."""
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.author({"name": site_name})
    feed.link(href=html_url, rel="alternate", type="text/html")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.language("en")
    feed.updated(max(updated, default=EPOCH))
    return feed
