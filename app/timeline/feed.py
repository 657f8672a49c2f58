"""The timeline as an Atom feed, for readers who subscribe to new statements: each entry says
the change in words (app/changes.py), under the instance's entry ids (app/feeds.py)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.changes import describe, histories
from app.feeds import FeedHead, statement_feed
from app.models import Statement


def atom_feed(
    session: Session,
    statements: list[Statement],
    *,
    head: FeedHead,
    authority: str,
    statement_url: Callable[[int], str],
    negotiation_titles: dict[int, str] | None = None,
) -> bytes:
    """`negotiation_titles` (id -> title): a feed across negotiations, whose entries each name
    theirs; a negotiation's own feed leaves it out."""
    history = histories(session, statements)
    changes = {s.id: describe(s, history) for s in statements}
    return statement_feed(
        head,
        statements,
        changes,
        authority=authority,
        statement_url=statement_url,
        negotiation_titles=negotiation_titles,
    )
