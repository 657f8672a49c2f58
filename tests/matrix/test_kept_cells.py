"""Matrix cells are rendered once per value (app/matrix/cells.py) and never shown stale."""

from __future__ import annotations

from sqlalchemy import select

from app.matrix.cells import RenderedCells
from app.models import Party, Statement
from app.revisions import Action, update_with_revision
from app.users.service import system_user
from tests.html import one, parse, words


def cell(page, party: str, demand: str):  # type: ignore[no-untyped-def]
    return one(parse(page), f'#matrix td[data-party="{party}"][data-demand="{demand}"]')


def test_a_page_for_another_date_reuses_the_cells_already_rendered(client) -> None:
    kept: RenderedCells = client.app.state.rendered_cells
    first = client.get("/?as_of=2025-01-20")
    rendered = len(kept)
    assert rendered == len(parse(first).select("#matrix td"))
    # Nothing was said between these dates: every cell is the same value, so none is rendered.
    second = client.get("/?as_of=2025-01-21")
    assert len(kept) == rendered
    assert parse(second).select("#matrix td") == parse(first).select("#matrix td")


def test_an_edit_to_what_a_cell_shows_is_shown_at_once(client, session) -> None:
    before = cell(client.get("/?as_of=2025-01-20"), "russia", "nato-renunciation")
    russia = session.scalar(select(Party).where(Party.slug == "russia"))
    shown = session.get(Statement, int(one(before, "a")["href"].rsplit("/", 1)[1]))
    user = system_user(session)
    update_with_revision(
        session, shown, {"summary": "A corrected summary."},
        form_version=shown.version, action=Action.EDIT, user=user,
    )  # fmt: skip
    update_with_revision(
        session, russia, {"name": "Russian Federation"},
        form_version=russia.version, action=Action.EDIT, user=user,
    )  # fmt: skip
    session.flush()

    after = cell(client.get("/?as_of=2025-01-20"), "russia", "nato-renunciation")
    assert words(one(after, ".cell__summary")) == "A corrected summary."
    assert "by Russian Federation on" in one(after, "a")["aria-label"]


def test_the_kept_cells_are_bounded() -> None:
    kept = RenderedCells(limit=3)
    for n in range(10):
        kept.keep(n, f"<td>{n}</td>")  # type: ignore[arg-type]
        assert len(kept) <= 3
    assert kept.get(9) == "<td>9</td>"
