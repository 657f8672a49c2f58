"""HTML kept between pages by the value it was rendered from.

A fragment whose macro sees only one value (a matrix cell's Cell, a party's history on one
demand) renders the same HTML for the same value, on whatever date or page it appears. Keeping
it by that value spares most of the rendering of a page for a date nobody asked for yet, and can
never serve stale HTML: an edit changes the value, which misses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
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

    def __len__(self) -> int:
        return len(self._html)


# A party's history on one demand is about 3 kB of HTML: 2,000 are 50 party pages of 40
# demands, in about 8 MB a worker.
KEPT_HISTORIES = 2_000


@pass_context
def kept_history(context: Any, key: Hashable, render: Callable[[Any], str]) -> Markup:
    """`{{ kept_history(key, history_section) }}`: `render(key)` as kept, or rendered and kept
    now. The macro must read nothing but its key (so a page's date, say, is not in it unless it
    is in the key)."""
    kept: KeptHtml = context["request"].app.state.kept_histories
    html = kept.get(key)
    if html is None:
        html = kept.keep(key, Markup(render(key)))
    return html
