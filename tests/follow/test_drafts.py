"""Drafts (issue 19) are told to nobody: no feed entry, no webhook event, until an editor who
did not write them publishes them; then the entry is dated by publication and says what the
statement is (a new position, a shift…), not a correction, and the event is written then."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from app.models import Negotiation, Role, Statement, WebhookEvent
from app.stances import OffScale, Stance
from app.statements.service import publish_statement
from app.webhooks.service import create_endpoint
from tests.factories import make_statement, make_user
from tests.follow.test_feeds import cell, parsed  # noqa: F401 (the fixture)

FEEDS = [
    "/talks/follow-talks/parties/russland/feed.atom",
    "/talks/follow-talks/demands/temporary-ceasefire/feed.atom",
    "/talks/follow-talks/parties/russland/demands/temporary-ceasefire/feed.atom",
    "/talks/follow-talks/timeline.atom",
]


def events(session) -> int:
    return session.scalar(select(func.count()).select_from(WebhookEvent)) or 0


def test_a_draft_is_told_at_publication_not_at_entry(client, session, cell) -> None:  # noqa: F811
    talks, party, demand, _ = cell
    create_endpoint(session, "https://hooks.example.org/in")
    session.execute(
        update(Negotiation).where(Negotiation.id == talks.id).values(statements_need_review=True)
    )
    before = events(session)
    draft = make_statement(
        session, party=party, demand=demand, stance=Stance.REJECTS, stated_on=dt.date(2025, 7, 1)
    )
    assert draft.is_draft
    assert events(session) == before  # nobody is told of a draft
    for url in FEEDS:
        assert not any(e.id.endswith(f":statement/{draft.id}") for e in parsed(client, url).entries)

    # Entered an hour ago, published now.
    session.execute(
        update(Statement)
        .where(Statement.id == draft.id)
        .values(created_at=draft.created_at - dt.timedelta(hours=1))
    )
    session.refresh(draft)
    reviewer = make_user(session, role=Role.ADMIN)
    published = publish_statement(session, draft, form_version=draft.version, user=reviewer)
    event = session.scalars(select(WebhookEvent).order_by(WebhookEvent.id.desc())).first()
    assert events(session) == before + 1
    assert event.kind == "shift" and event.payload["data"]["statement_id"] == draft.id
    for url in FEEDS:
        entry = next(
            e for e in parsed(client, url).entries if e.id.endswith(f":statement/{draft.id}")
        )
        assert entry.tags[0].term == "shift", url  # not "correction": it was never public
        shown = dt.datetime.fromisoformat(entry.published)
        assert abs(shown - published.published_at) < dt.timedelta(seconds=1), url


def test_an_off_scale_answer_is_no_shift(client, session, cell) -> None:  # noqa: F811
    _, party, demand, _ = cell
    declined = make_statement(
        session,
        party=party,
        demand=demand,
        stance=None,
        off_scale=OffScale.DECLINED.value,
        stated_on=dt.date(2025, 8, 1),
    )
    feed = parsed(client, FEEDS[2])
    entry = next(e for e in feed.entries if e.id.endswith(f":statement/{declined.id}"))
    assert entry.tags[0].term == "restatement"
    assert entry.summary.startswith("Russland declined to say on ‘A temporary ceasefire")
    assert "its position stays open / conditional" in entry.summary
