"""The timeline as an Atom feed (feedgen), for readers who subscribe to new statements."""

from __future__ import annotations

from collections.abc import Callable

from app.atom import new_feed, tag_id
from app.dates import format_date
from app.models import Statement
from app.stances import Reading, scope_change


def entry_id(statement_id: int) -> str:
    return tag_id("statement", statement_id)


def atom_feed(
    statements: list[Statement],
    *,
    title: str,
    feed_id: str,
    self_url: str,
    html_url: str,
    statement_url: Callable[[int], str],
    site_name: str,
    negotiation_titles: dict[int, str] | None = None,
    shifted_from: dict[int, Reading] | None = None,
) -> bytes:
    """`negotiation_titles` (id -> title): a feed across negotiations, whose entries each name
    theirs; a negotiation's own feed leaves it out. `shifted_from` (statement id -> the reading
    it moved from): the timeline page's shifts, said in the entry as the page says them."""
    shifted_from = shifted_from or {}
    feed = new_feed(
        title=title,
        feed_id=feed_id,
        self_url=self_url,
        html_url=html_url,
        site_name=site_name,
        updated=(s.updated_at for s in statements),
    )
    for statement in statements:
        # In words, qualifiers included: "open / conditional (partial)", "declined to say".
        reading = Reading(statement.stance, statement.partial, False, statement.off_scale)
        when = format_date(statement.stated_on, statement.stated_on_precision)
        entry = feed.add_entry(order="append")  # keep our newest-first order
        entry.id(entry_id(statement.id))
        # Text constructs: feedgen escapes them, so markup in a summary stays text.
        words = reading.words() + (" (reported)" if statement.is_reported else "")
        title = f"{statement.party.name} {words}: {statement.demand.title} ({when})"
        if negotiation_titles is not None:
            title = f"{negotiation_titles.get(statement.negotiation_id, '')}: {title}"
        entry.title(title)
        entry.link(href=statement_url(statement.id), rel="alternate", type="text/html")
        entry.published(statement.created_at)
        entry.updated(statement.updated_at)
        lines = []
        was = shifted_from.get(statement.id)
        if was is not None:
            note = scope_change(was, reading)
            lines.append(f"Shift: was {was.words()}" + (f" ({note})." if note else "."))
        lines.append(statement.summary)
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
        entry.content("\n\n".join(lines), type="text")
    return bytes(feed.atom_str(pretty=True))
