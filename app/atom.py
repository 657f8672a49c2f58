"""What every Atom feed of Parley shares (feedgen): entry ids, the feed's head, statement entries
told as changes in words, and the response.

Entry ids are tag: URIs (RFC 4151) whose authority is the instance's (`Settings.tag_authority`,
PARLEY_FEED_TAG_AUTHORITY or the base URL's host) and whose specific part is a record's id alone:
they never change when the site moves host, a record is edited (a correction updates its entry)
or a slug is renamed, and two instances never share one, so readers never see an entry twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from feedgen.feed import FeedGenerator
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.changes import ChangeKind, describe, histories
from app.dates import format_date
from app.models import Statement

# Feed `updated` for a feed without entries: any fixed instant keeps the document stable.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# A feed is bounded: the newest this many entries, whatever the history holds.
FEED_SIZE = 50
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def tag_id(authority: str, specific: str) -> str:
    """An id: `specific` names the record by table and id ("statement/12",
    "proposal-version/3") or the feed by what it holds ("negotiation/1/party/4")."""
    return f"tag:{authority}:{specific}"


def statement_entry_id(authority: str, statement_id: int) -> str:
    return tag_id(authority, f"statement/{statement_id}")


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


def statement_feed(
    session: Session,
    statements: Sequence[Statement],
    *,
    title: str,
    feed_id: str,
    self_url: str,
    html_url: str,
    site_name: str,
    authority: str,
    statement_url: Callable[[int], str],
    negotiation_titles: dict[int, str] | None = None,
) -> Response:
    """A feed of `statements` (published ones, party, demand and source loaded), one entry
    each in the given order, each saying its change in words (app/changes.py: one query for
    the whole feed). `negotiation_titles` (id -> title): a feed across negotiations, whose
    entries each name theirs; a negotiation's own feed leaves it out."""
    history = histories(session, statements)
    feed = new_feed(
        title=title,
        feed_id=feed_id,
        self_url=self_url,
        html_url=html_url,
        site_name=site_name,
        updated=(s.updated_at for s in statements),
    )
    for statement in statements:
        # The queries read published statements only: a draft is in no reader's feed.
        assert statement.published_at is not None, "a draft in a feed"
        change = describe(statement, history)
        when = format_date(statement.stated_on, statement.stated_on_precision)
        entry = feed.add_entry(order="append")  # keep our newest-first order
        entry.id(statement_entry_id(authority, statement.id))
        # Text constructs: feedgen escapes them, so markup in a summary stays text.
        title = change.title
        if statement.is_reported:  # as the pages mark it (macros/stance.html reported_mark)
            title += " (reported)"
        if negotiation_titles is not None:
            title = f"{negotiation_titles.get(statement.negotiation_id, '')}: {title}"
        entry.title(title)
        entry.link(href=statement_url(statement.id), rel="alternate", type="text/html")
        # Readers first saw it when it was published, not when its draft was entered.
        entry.published(statement.published_at)
        entry.updated(statement.updated_at)
        entry.category(term=change.kind.value, label=change.kind.label)
        if change.kind is ChangeKind.CORRECTION:
            entry.category(term=change.underlying.value, label=change.underlying.label)
        lines = [change.words, statement.summary]
        if statement.partial and statement.scope_note:
            lines.append(f"Partial: {statement.scope_note}")
        if statement.alternative_to_id:
            lines.append(
                f"One option of an either-or offer (with statement #{statement.alternative_to_id})."
            )
        if statement.is_reported:
            outlet = f": {statement.evidence_outlet}" if statement.evidence_outlet else ""
            label = statement.evidence_value.label if statement.evidence_value else ""
            lines.append(f"Reported (anonymous or second-hand evidence, {label}{outlet}).")
        if statement.quote:
            lines.append(f"“{statement.quote}”")
        speaker = f"{statement.speaker}, " if statement.speaker else ""
        lines.append(
            f"{speaker}{when}. Source: {statement.source.title} ({statement.source.publisher})"
        )
        entry.summary(change.words)
        entry.content("\n\n".join(lines), type="text")
    return atom_response(feed)


def atom_response(feed: FeedGenerator) -> Response:
    return Response(bytes(feed.atom_str(pretty=True)), media_type=ATOM_TYPE)
