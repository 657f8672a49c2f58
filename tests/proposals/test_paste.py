"""Splitting a pasted numbered list into points."""

from __future__ import annotations

import pytest

from app.exceptions import FieldProblem
from app.proposals.paste import split_points


def test_numbers_in_the_printed_styles() -> None:
    pasted = "1. Sovereignty is confirmed.\n2) A ceasefire.\n12a. Sanctions are lifted in stages.\n"
    assert split_points(pasted) == [
        ("1", "Sovereignty is confirmed."),
        ("2", "A ceasefire."),
        ("12a", "Sanctions are lifted in stages."),
    ]


def test_a_point_over_several_lines_is_kept_together() -> None:
    pasted = "1. The forces\n   withdraw to the line\nof contact.\n\n2. Elections follow.\r\n"
    assert split_points(pasted) == [
        ("1", "The forces\nwithdraw to the line\nof contact."),
        ("2", "Elections follow."),
    ]


def test_a_numeral_inside_a_point_does_not_start_one() -> None:
    pasted = "1. An army cap of\n600,000. The rest demobilised.\n2. Talks."
    assert [n for n, _ in split_points(pasted)] == ["1", "2"]


@pytest.mark.parametrize("pasted", ["", "   \n\n  ", "No numbers here at all."])
def test_nothing_to_split_is_refused(pasted: str) -> None:
    with pytest.raises(FieldProblem) as refused:
        split_points(pasted)
    assert refused.value.field == "paste"


def test_text_before_the_first_number_is_refused() -> None:
    with pytest.raises(FieldProblem, match="before point 1"):
        split_points("Preamble of the plan\n1. First.")


def test_a_number_with_no_text_is_refused() -> None:
    with pytest.raises(FieldProblem, match="point 2 has no text"):
        split_points("1. First.\n2.\n3. Third.")
