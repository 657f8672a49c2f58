"""HTML kept between pages by the value it was rendered from.

A fragment whose macro sees only one value (a matrix cell's Cell, a party's history on one
demand) renders the same HTML for the same value, on whatever date or page it appears. Keeping
it by that value spares most of the rendering of a page for a date nobody asked for yet, and can
never serve stale HTML: an edit changes the value, which misses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup


class KeptHtml:
    """HTML by value. When full it starts again empty: one page refills what it needs."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._html: dict[Hashable, Markup] = {}

    def get(self, key: Hashable) -> Markup | None:
        return self._html.get(key)

    def keep(self, key: Hashable, html: Markup) -> Markup:
        if len(self._html) >= self.limit:
            self._html.clear()
        self._html[key] = html
        return html

    def rendered(self, key: Hashable, render: Callable[[Any], str]) -> Markup:
        """`render(key)` as kept, or rendered and kept now."""
        html = self._html.get(key)
        if html is None:
            html = self.keep(key, Markup(render(key)))
        return html

    def __len__(self) -> int:
        return len(self._html)


def keep_each(kept: KeptHtml, values: Iterable[Any], render: Callable[[Any], str]) -> Markup:
    """The HTML of each value, as kept or rendered by `render(value)` and kept now, joined. In
    one call for a row of cells or a history's entries: per value, a Jinja call cost more than
    the lookup."""
    return Markup("".join([kept.rendered(value, render) for value in values]))


# A party's history on one demand is about 3 kB of HTML: 2,000 are 50 party pages of 40
# demands, in about 8 MB a worker.
KEPT_HISTORIES = 2_000


@pass_context
def kept_history(context: Any, key: Hashable, render: Callable[[Any], str]) -> Markup:
    """`{{ kept_history(key, history_section) }}`: `render(key)` as kept, or rendered and kept
    now. The macro must read nothing but its key (so a page's date, say, is not in it unless it
    is in the key)."""
    kept: KeptHtml = context["request"].app.state.kept_histories
    return kept.rendered(key, render)


# A history's entry (one statement) is about 1 kB of HTML: 10,000 are 20 party pages of 40
# demands with 12 entries each, in about 12 MB a worker.
KEPT_ENTRIES = 10_000


@pass_context
def kept_entries(context: Any, entries: Iterable[Hashable], render: Callable[[Any], str]) -> Markup:
    """`{{ kept_entries(history, history_entry) }}`: a history's entries, each kept by its value.
    A history for another date misses as a whole when one statement came or went, but shares
    all its other entries: only the new ones are rendered."""
    return keep_each(context["request"].app.state.kept_entries, entries, render)
