"""The stance palette and the type and spacing scales, read from the stylesheet itself: every
ratio WCAG asks for, computed from the custom properties in both colour schemes (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.stances import SCALE

CSS = (Path(__file__).resolve().parents[1] / "app" / "static" / "css" / "parley.css").read_text()


def _properties(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def _schemes() -> dict[str, dict[str, str]]:
    light_block = CSS[CSS.index(":root {") : CSS.index("@media (prefers-color-scheme: dark)")]
    dark_start = CSS.index("@media (prefers-color-scheme: dark)")
    dark_block = CSS[dark_start : CSS.index("\n}\n", dark_start)]
    light = _properties(light_block)
    # The dark scheme overrides some properties; the rest carry over from the light one.
    return {"light": light, "dark": {**light, **_properties(dark_block)}}


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


SCHEMES = _schemes()
STANCES = [stance.slug for stance in SCALE] + ["none"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("stance", STANCES)
def test_text_on_each_stance_field_is_at_least_4_5_to_1(scheme: str, stance: str) -> None:
    colours = SCHEMES[scheme]
    ratio = contrast(colours[f"{stance}-bg"], colours[f"{stance}-fg"])
    assert ratio >= 4.5, f"{stance} text on its field in {scheme}: {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("stance", [stance.slug for stance in SCALE])
def test_each_stance_mark_is_at_least_3_to_1_on_the_page(scheme: str, stance: str) -> None:
    colours = SCHEMES[scheme]
    for ground in ("surface", "bg"):
        ratio = contrast(colours[f"{stance}-mark"], colours[ground])
        assert ratio >= 3, f"{stance} mark on --{ground} in {scheme}: {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_text_and_links_are_at_least_4_5_to_1(scheme: str) -> None:
    colours = SCHEMES[scheme]
    for fg in ("text", "muted", "accent", "changed"):
        for ground in ("surface", "bg"):
            ratio = contrast(colours[fg], colours[ground])
            assert ratio >= 4.5, f"--{fg} on --{ground} in {scheme}: {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_neighbouring_stances_differ_in_lightness(scheme: str) -> None:
    """Stance is never colour alone (icons and words), and the fields also step in lightness
    from the neutral middle outwards, which every colour-vision deficiency keeps."""
    colours = SCHEMES[scheme]
    middle = luminance(colours["open-bg"])
    for near, far in (("accepts", "insists"), ("rejects", "red-line")):
        near_step = abs(luminance(colours[f"{near}-bg"]) - middle)
        far_step = abs(luminance(colours[f"{far}-bg"]) - middle)
        assert far_step > near_step, f"{far} should stand further from open than {near}"


def _rules_outside_tokens() -> str:
    body = CSS[CSS.index("*, *::before") :]
    # Print sizes are in points on purpose; SVG text is in the drawing's own units.
    return re.sub(r"@media print \{.*?\n\}\n", "", body, flags=re.S)


def test_every_font_size_is_a_step_of_the_type_scale() -> None:
    sizes = re.findall(r"(?<![\w-])font-size:\s*([^;}]+)", _rules_outside_tokens())
    off_scale = [
        size
        for size in sizes
        if not re.fullmatch(r"var\(--text-(xs|sm|base|md|lg|xl)\)|inherit|\d+px|[0-9.]+em", size)
    ]
    assert off_scale == []


def test_every_margin_padding_and_gap_in_rem_is_a_step_of_the_spacing_scale() -> None:
    declarations = re.findall(
        r"(?<![\w-])(?:margin|padding|gap|row-gap|column-gap)[\w-]*:\s*([^;}]+)",
        _rules_outside_tokens(),
    )
    off_scale = [value for value in declarations if re.search(r"\d(\.\d+)?rem", value)]
    assert off_scale == []
