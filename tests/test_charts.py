from __future__ import annotations

from app.charts import Line, _spread_labels


def test_line_names_on_one_level_are_spread_apart_around_where_they_were() -> None:
    lines = [
        Line(name, "", "", [], y) for name, y in [("a", 100), ("b", 104), ("c", 108), ("d", 20)]
    ]
    spread = {line.name: line.label_y for line in _spread_labels(lines, 16)}
    assert spread == {"a": 88, "b": 104, "c": 120, "d": 20}
