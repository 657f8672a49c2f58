"""Share images: a card (app/share/cards.py) drawn as a 1200 × 630 SVG and rendered to PNG by
libvips (pyvips, librsvg inside), in process, without a browser.

The chart in the image is the page's own drawing (the `chart_drawing` macro of
macros/chart.html); the card's stylesheet gives it the colours and sizes the page's CSS would.

Fonts: librsvg asks fontconfig, and fontconfig reads the file FONTCONFIG_FILE names, so this
module points it at fonts.conf beside it, which lists only the DejaVu directory: the same faces
on every machine, whatever else is installed. That is process-wide (fontconfig has no other
door in pyvips-binary's bundled copy); the app starts no other program that draws text
(the tests' browser is launched without it). Without the fonts, Pango would draw a box per
letter rather than nothing, so `render_png` refuses (FontsMissing) unless a probe's "WWWW"
comes out wider than its "iiii", which boxes never do.

Where a render's time goes (bench/share_images.py prints it): on this 2-core machine 20-34 ms
of CPU a card, against resvg-py's 80-95 ms (its text drawing alone was 45-60 ms and its PNG
encode, with no settings exposed, 22 ms). libvips' own operation cache is off: the render
cache (app/share/routes.py) keeps the PNGs, and libvips would otherwise keep up to 100 decoded
3 MB canvases per process. One thread a render: the app renders in its request threads, and on
a 1200 × 630 canvas two libvips threads cost the same CPU time as one (within 2 ms). Memory:
the first render loads fontconfig, Pango and librsvg, about 17 MB private per process (steady
over 800 renders) and 10 MB of shared library pages.

Python decides every coordinate, as for the charts: the SVG is drawn as written, with no text
wrapping, so each line is cut to what fits its width, with an ellipsis.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Before pyvips loads libvips, so fontconfig never sees the system's own configuration.
os.environ["FONTCONFIG_FILE"] = str(Path(__file__).with_name("fonts.conf"))

import pyvips
from jinja2 import Environment

from app.share.cards import Card

pyvips.cache_set_max(0)
pyvips.concurrency_set(1)

WIDTH = 1200
HEIGHT = 630
MARGIN = 48
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = [
    str(FONT_DIR / name)
    for name in (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSansCondensed.ttf",
        "DejaVuSansCondensed-Bold.ttf",
    )
]
# DejaVu Sans's average advance is a little over half its size; bold a little more. Erring
# wide cuts a line early rather than letting it run off the image.
_ADVANCE = {False: 0.58, True: 0.64}


def fit(text: str, size: float, width: float, *, bold: bool = False) -> str:
    """`text` cut to about `width` pixels at `size`, with an ellipsis when cut."""
    most = max(int(width / (size * _ADVANCE[bold])), 1)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def wrap(text: str, size: float, width: float, lines: int, *, bold: bool = False) -> list[str]:
    """`text` broken at spaces into at most `lines` lines, the last cut to fit."""
    most = max(int(width / (size * _ADVANCE[bold])), 1)
    out: list[str] = []
    rest = text
    while rest and len(out) < lines - 1 and len(rest) > most:
        cut = rest.rfind(" ", 0, most + 1)
        cut = cut if cut > 0 else most
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(fit(rest, size, width, bold=bold))
    return out


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: int
    bold: bool = False
    colour: str = "#1b1f24"
    anchor: str = "start"


@dataclass(frozen=True)
class Swatch:
    x: float
    y: float
    colour: str


@dataclass(frozen=True)
class Layout:
    card: Card
    texts: list[Text]
    swatches: list[Swatch]
    # Where the chart goes (x, y, width, height), or None.
    chart_box: tuple[int, int, int, int] | None
    footer_y: int


def lay_out(card: Card, *, site: str, url: str) -> Layout:
    inner = WIDTH - 2 * MARGIN
    texts = [
        Text(
            MARGIN,
            70,
            fit(f"{site} · {card.negotiation} · {card.kind}", 24, inner),
            24,
            colour="#4a5260",
        )
    ]
    title_lines = wrap(card.title, 40, inner, 2, bold=True)
    for i, line in enumerate(title_lines):
        texts.append(Text(MARGIN, 122 + i * 50, line, 40, bold=True))
    top = 122 + (len(title_lines) - 1) * 50 + 56
    if card.summary:
        texts.append(Text(MARGIN, top, fit(card.summary, 24, inner), 24, colour="#2f3640"))
        top += 40
    footer_y = HEIGHT - 82
    swatches = []
    chart_box = None
    has_chart = card.chart is not None and not card.chart.is_empty
    if has_chart or card.stacked:
        # Two lines a row (what, then the stances in words); the chart, if any, on the right.
        column = 400 if has_chart else inner
        row_height = 50
        room = (footer_y - 16 - top) // row_height
        rows = card.rows[:room]
        for i, row in enumerate(rows):
            y = top + 20 + i * row_height
            swatches.append(Swatch(MARGIN, y - 16, row.colour))
            label = fit(row.label, 22, column - 26, bold=True)
            texts.append(Text(MARGIN + 26, y, label, 22, True))
            texts.append(Text(MARGIN + 26, y + 24, fit(row.words, 21, column - 26), 21))
        more = card.more + len(card.rows) - len(rows)
    if has_chart and card.chart is not None:
        chart_x = MARGIN + 400 + 16
        chart_w = WIDTH - MARGIN - chart_x
        room_h = footer_y - 16 - (top - 8)
        # The chart keeps its proportions; centred in the room left for it.
        chart_h = min(round(chart_w * card.chart.height / card.chart.width), room_h)
        chart_box = (chart_x, top - 8 + (room_h - chart_h) // 2, chart_w, chart_h)
    elif not card.stacked:
        row_height = 46
        room = (footer_y - 12 - top) // row_height
        rows = card.rows[:room]
        for i, row in enumerate(rows):
            y = top + 22 + i * row_height
            words = fit(row.words, 24, 330, bold=True)
            texts.append(Text(MARGIN, y, words, 24, True))
            texts.append(Text(MARGIN + 350, y, fit(row.label, 24, inner - 350), 24))
        more = card.more + len(card.rows) - len(rows)
        if not card.rows:
            texts.append(Text(MARGIN, top + 22, "No stated positions by this date.", 24))
    if more:
        texts.append(
            Text(
                WIDTH - MARGIN,
                footer_y - 14,
                f"and {more} more on the page",
                20,
                False,
                "#4a5260",
                "end",
            )
        )
    footer = f"{card.as_of_words} · {card.sources_words}"
    texts.append(Text(MARGIN, footer_y + 50, footer, 30, True))
    texts.append(
        Text(WIDTH - MARGIN, footer_y + 50, fit(url, 20, 560), 20, False, "#4a5260", "end")
    )
    return Layout(card, texts, swatches, chart_box, footer_y)


def card_svg(env: Environment, card: Card, *, site: str, url: str) -> str:
    """The card as SVG text: what the PNG is rendered from (and what tests read)."""
    layout = lay_out(card, site=site, url=url)
    return env.get_template("share/card.svg").render(
        layout=layout, width=WIDTH, height=HEIGHT, margin=MARGIN
    )


class FontsMissing(RuntimeError):
    pass


_PROBE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="60">'
    '<text x="10" y="44" font-size="32" font-family="DejaVu Sans">{}</text></svg>'
)
_fonts_seen = False


def _ink_width(text: str) -> int:
    alpha = pyvips.Image.svgload_buffer(_PROBE.format(text).encode())[3]
    if alpha.max() == 0:
        return 0
    _, _, width, _ = alpha.find_trim(threshold=0, background=[0])
    return int(width)


def check_fonts() -> None:
    """Refuse to draw when the words would not come out: an image without them would lose
    exactly the context it exists to carry. Probed once a process, on the first render."""
    global _fonts_seen
    if _fonts_seen:
        return
    missing = [name for name in FONT_FILES if not Path(name).is_file()]
    if missing:
        raise FontsMissing(f"Share images need the DejaVu fonts (fonts-dejavu-core): {missing}")
    narrow, wide = _ink_width("iiii"), _ink_width("WWWW")
    if not 0 < 2 * narrow < wide:
        raise FontsMissing(
            f"fontconfig ({os.environ['FONTCONFIG_FILE']}) found no usable DejaVu Sans: "
            f"probe text {narrow} and {wide} px wide"
        )
    _fonts_seen = True


def render_png(svg: str) -> bytes:
    check_fonts()
    # libvips' default PNG settings (zlib level 6, adaptive filter): 60-110 kB a card. Level 1
    # saves about 5 ms for half again the bytes; a palette costs 25-70 ms more.
    image = pyvips.Image.svgload_buffer(svg.encode())
    return bytes(image.pngsave_buffer())
