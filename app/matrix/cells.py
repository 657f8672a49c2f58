"""The HTML of matrix cells, kept between pages.

A matrix of 20 parties × 40 demands has 800 cells, and rendering each one through Jinja was most
of the page's time (bench/README.md). A cell's HTML is a function of its Cell value alone (the
template sees nothing else), and a statement shows the same way on every date on which it is the
latest, so a page for another date reuses almost every cell already rendered. Being keyed by
value, a kept cell can never be stale: an edit changes the value, which misses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup

from app.kept_html import KeptHtml, keep_each
from app.matrix.queries import Cell

# About 1.3 kB each with its key: 10,000 cells are 12 full 20 × 40 matrices in 13 MB a worker.
KEPT_CELLS = 10_000


class RenderedCells(KeptHtml):
    """Cell HTML by Cell value."""

    def __init__(self, limit: int = KEPT_CELLS) -> None:
        super().__init__(limit)


@pass_context
def kept_cells(context: Any, cells: Iterable[Cell], render: Callable[[Cell], str]) -> Markup:
    """`{{ kept_cells(row.cells, matrix_cell) }}`: a row's cells' HTML, each as kept or rendered
    by `render(cell)` and kept now."""
    return keep_each(context["request"].app.state.rendered_cells, cells, render)
