"""Time to draw one share image (issue 20, item 3): card SVG and resvg's PNG, on the demo data.

    .venv/bin/python -m bench.share_images [--runs 50]

Reports wall-clock and CPU time per image (median and p95), the SVG and PNG parts apart. On a
shared machine the wall clock includes waiting for a core; CPU time is what one render costs.
A warm process is measured (the first render, which loads templates, is left out): the app
serves from a warm process, and the render cache keeps each image until the next write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

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
from app.share.images import card_svg, render_png
from app.templating import make_templates


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


if __name__ == "__main__":
    main()
