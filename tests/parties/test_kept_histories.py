"""A party's history on each demand is rendered once per value (app/kept_html.py): a page for
another date reuses what did not change, and nothing is ever shown stale."""

from __future__ import annotations

from sqlalchemy import select

from app.kept_html import KeptHtml
from app.models import Source, Statement
from app.revisions import Action, update_with_revision
from app.users.service import system_user
from tests.html import parse, words

PAGE = "/talks/russia-ukraine/parties/russia"


def histories(response):  # type: ignore[no-untyped-def]
    return parse(response).select("section.history")


def test_a_page_for_another_date_renders_only_the_histories_that_changed(client) -> None:
    kept: KeptHtml = client.app.state.kept_histories
    first = client.get(f"{PAGE}?as_of=2025-01-20")
    rendered = len(kept)
    assert rendered == len(histories(first)) > 0
    # Nothing was said between these dates: every history is the same value.
    second = client.get(f"{PAGE}?as_of=2025-01-21")
    assert len(kept) == rendered
    assert histories(second) == histories(first)
    # The page across negotiations has its own ids (a prefix) and heading levels: kept apart.
    across = client.get("/parties/russia?as_of=2025-01-20")
    assert len(kept) == 2 * rendered
    assert histories(across) != histories(first)


def test_a_history_that_moved_renders_only_its_new_statements(client) -> None:
    """Between two dates a statement came: its history misses, but of its entries only the new
    statement is rendered, the others are the ones kept."""
    entries: KeptHtml = client.app.state.kept_entries
    before = parse(client.get(f"{PAGE}?as_of=2024-06-14"))
    kept_before = len(entries)
    assert kept_before == len(before.select("section.history li[data-statement]")) > 0
    after = parse(client.get(f"{PAGE}?as_of=2025-01-31"))
    shown = {li["data-statement"] for li in before.select("section.history li[data-statement]")}
    new = [
        li for li in after.select("section.history li[data-statement]")
        if li["data-statement"] not in shown
    ]  # fmt: skip
    assert new, "the demo has statements between these dates"
    # The oldest entry of a history may be kept again with or without "earlier ones exist".
    assert len(new) <= len(entries) - kept_before <= len(new) + len(after.select("section"))


def test_kept_histories_equal_freshly_rendered_ones(client) -> None:
    kept: KeptHtml = client.app.state.kept_histories
    entries: KeptHtml = client.app.state.kept_entries
    for day in ("2022-03-01", "2024-06-14", "2025-01-20", "2099-01-01"):
        client.get(f"{PAGE}?as_of={day}")
    served = client.get(f"{PAGE}?as_of=2024-06-14")
    kept._html.clear()
    entries._html.clear()
    fresh = client.get(f"{PAGE}?as_of=2024-06-14")
    assert served.text == fresh.text


def test_an_edit_to_a_statement_or_its_source_is_shown_at_once(client, session) -> None:
    before = client.get(f"{PAGE}?as_of=2025-01-20")
    entry = parse(before).select_one("section.history li[data-statement]")
    shown = session.get(Statement, int(entry["data-statement"]))
    source = session.scalar(select(Source).where(Source.id == shown.source_id))
    user = system_user(session)
    update_with_revision(
        session, shown, {"summary": "A corrected summary."},
        form_version=shown.version, action=Action.EDIT, user=user,
    )  # fmt: skip
    update_with_revision(
        session, source, {"title": "A retitled source"},
        form_version=source.version, action=Action.EDIT, user=user,
    )  # fmt: skip
    session.flush()

    after = parse(client.get(f"{PAGE}?as_of=2025-01-20"))
    edited = after.select_one(f'section.history li[data-statement="{shown.id}"]')
    assert "A corrected summary." in words(edited.select_one(".history__summary"))
    assert "A retitled source" in words(edited.select_one(".history__source"))


def test_the_kept_histories_are_bounded() -> None:
    kept = KeptHtml(limit=3)
    for n in range(10):
        kept.keep(n, f"<section>{n}</section>")  # type: ignore[arg-type]
        assert len(kept) <= 3
    assert kept.get(9) == "<section>9</section>"
