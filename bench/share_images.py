"""Time to draw one share image (issue 20, item 3): card SVG and libvips' PNG, on the demo data.

    .venv/bin/python -m bench.share_images [--runs 50]

Reports wall-clock and CPU time per image (median and p95), the SVG and PNG parts apart, each
kind's CPU median and p95 against the 50 ms target, and the load average before and after (the
machine is shared: the wall clock includes waiting for a core; CPU time is what one render
costs). A warm process is measured (the first render, which loads templates, is left out): the
app serves from a warm process, and the render cache keeps each image until the next write.

Then the floor libvips sets, whatever the card: a blank 1200 × 630 canvas (pixmap and PNG
encode, no text, no shapes), and each card with its text taken out (what the text costs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import pyvips
from sqlalchemy.orm import Session

from app.compare.queries import comparison
from app.db import make_engine
from app.demands.queries import demand_in, demand_page
from app.demo import load_demo
from app.migrate import upgrade
from app.negotiations.queries import negotiation_by_slug
from app.parties.queries import participation_in, party_by_slug, party_page
from app.settings import Settings
from app.share.cards import cell_card, cell_page, comparison_card, demand_card, party_card
from app.share.images import HEIGHT, WIDTH, card_svg, render_png
from app.templating import make_templates

TARGET_MS = 50.0


def _cpu_ms(render: object, svg: str, runs: int) -> list[float]:
    assert callable(render)
    render(svg)
    out = []
    for _ in range(runs):
        cpu = time.process_time()
        render(svg)
        out.append((time.process_time() - cpu) * 1000)
    return out


def _at(values: list[float], q: float) -> float:
    return sorted(values)[int(q * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    database = Path(tempfile.mkdtemp()) / "bench.db"
    settings = Settings(database_url=f"sqlite:///{database}", environment="development")
    engine = make_engine(settings)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        load_demo(session)
    env = make_templates(header_account=lambda r: None, kept_cells=None).env
    today = dt.date.today()
    with Session(engine) as session:
        talks = negotiation_by_slug(session, "russia-ukraine")
        russia, ukraine = party_by_slug(session, "russia"), party_by_slug(session, "ukraine")
        demand = demand_in(session, talks.id, "russian-withdrawal")  # type: ignore[union-attr]
        assert talks and russia and ukraine and demand
        participation = participation_in(session, talks.id, ukraine.id)
        assert participation
        cards = {
            "party": party_card(party_page(session, ukraine, participation, today), talks),
            "cell": cell_card(cell_page(session, talks, ukraine, demand, today, lambda i: "")),
            "demand": demand_card(demand_page(session, demand, today, lambda i: ""), talks),
            "comparison": comparison_card(
                comparison(session, talks.id, [russia, ukraine], today, lambda i: ""), talks
            ),
        }
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    verdicts = []
    for name, card in cards.items():
        render_png(card_svg(env, card, site="Parley", url="example.org/x"))  # warm up
        walls, cpus, svg_parts = [], [], []
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            svg = card_svg(env, card, site="Parley", url="example.org/x")
            svg_parts.append(time.perf_counter() - wall)
            png = render_png(svg)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)

        def ms(values: list[float], q: float) -> str:
            return f"{sorted(values)[int(q * (len(values) - 1))] * 1000:6.1f}"

        print(
            f"{name:11} wall median {ms(walls, 0.5)} ms p95 {ms(walls, 0.95)} ms · "
            f"CPU median {ms(cpus, 0.5)} ms p95 {ms(cpus, 0.95)} ms · "
            f"SVG {statistics.median(svg_parts) * 1000:4.1f} ms · PNG {len(png) // 1024} kB"
        )
        median, p95 = _at(cpus, 0.5) * 1000, _at(cpus, 0.95) * 1000
        ok = (
            "under"
            if p95 < TARGET_MS
            else ("median under, p95 over" if median < TARGET_MS else "OVER")
        )
        verdicts.append(
            f"{name:11} CPU median {median:6.1f} ms p95 {p95:6.1f} ms: {ok} {TARGET_MS:.0f} ms"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"against the {TARGET_MS:.0f} ms target:")
    for line in verdicts:
        print("  " + line)
    # Where the time goes: libvips' own floor and the text's share.
    blank = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/></svg>'
    )
    floor = _cpu_ms(lambda s: pyvips.Image.svgload_buffer(s.encode()).pngsave_buffer(), blank, runs)
    print(
        f"phases: blank {WIDTH}×{HEIGHT} canvas + PNG encode: CPU median {_at(floor, 0.5):5.1f} ms"
    )
    for name, card in cards.items():
        svg = card_svg(env, card, site="Parley", url="example.org/x")
        plain = re.sub(r"<text[^>]*>.*?</text>", "", svg, flags=re.S)
        no_text = _cpu_ms(render_png, plain, runs)
        full = _cpu_ms(render_png, svg, runs)
        print(
            f"  {name:11} shapes only {_at(no_text, 0.5):5.1f} ms · "
            f"text adds {_at(full, 0.5) - _at(no_text, 0.5):5.1f} ms"
        )


if __name__ == "__main__":
    main()
