"""The runner's parsing and bookkeeping (the HTTP runs themselves are not tests: no timings)."""

from __future__ import annotations

from app.synthetic_data import PLAN_START
from bench.run import Result, Sample, Talks, combine, pages, parse_wrk, route_resolver, verdicts

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8080/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    22.06ms   10.26ms 110.30ms   77.54%
    Req/Sec   366.28     54.20   470.00     70.50%
  Latency Distribution
     50%   20.50ms
     75%   26.10ms
     90%   33.88ms
     99%    1.20s
  7302 requests in 10.01s, 270.18MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    729.47
Transfer/sec:     26.99MB
"""


def test_wrk_output_is_read_in_milliseconds() -> None:
    parsed = parse_wrk(WRK_OUTPUT)
    assert parsed["rps"] == 729.47
    assert parsed["requests"] == 7302
    assert parsed["p50"] == 20.5
    assert parsed["p99"] == 1200.0
    assert parsed["bad"] == 3


def test_rounds_combine_into_the_median_round() -> None:
    rounds = [
        Result("/", "1M", 16, rps=rps, rss_mb=rss) for rps, rss in [(9, 120), (30, 110), (12, 100)]
    ]
    (row,) = combine(rounds)
    assert row.rps == 12
    assert row.rss_mb == 120
    assert "rounds: 9 / 30 / 12 req/s" in row.notes


def test_pages_not_built_appear_once() -> None:
    rows = combine([Result("/timeline", "1M", notes=["not built yet (404)"])] * 2)
    assert len(rows) == 1


def test_verdict_compares_cache_miss_with_the_reference_matrix() -> None:
    results = [
        Result("[a] matrix (cache miss: new as_of per request)", "1M", 16, rps=630),
        Result("[b] matrix (cache miss: new as_of per request)", "1M", 16, rps=560),
        Result("reference app: matrix", "1M", 16, rps=700),
    ]
    first, second = verdicts(results)
    assert first.startswith("[a] matrix") and "90% of the reference" in first
    assert second.startswith("[b] matrix") and "80% of the reference" in second


def test_each_negotiation_gets_its_scoped_pages(app) -> None:
    """The runner finds each page's URL in the app's route table, per negotiation."""
    sample = Sample(
        slugs=["p1", "p2"],
        demand="d1",
        max_statement=10,
        talks=[Talks("a", ["p1", "p2"], "d1"), Talks("b", ["p2", "p3"], "d9")],
    )
    paths = {page.name: page.path for page in pages(sample, route_resolver(app))}
    assert paths["[a] matrix (render cache hit: fixed as_of)"].startswith("/talks/a?as_of=")
    assert paths["[b] timeline"] == "/talks/b/timeline"
    assert paths["[b] search"] == "/search?negotiation=b&q=withdrawal"
    assert paths["[b] CSV export"] == "/api/statements.csv?negotiation=b"
    assert paths["[a] /api matrix"].startswith("/api/negotiations/a/matrix?as_of=")
    assert paths["[b] compare"].endswith("parties=p2,p3")
    assert paths["matrix with a plan (?with=, cache miss)"].startswith("/talks/a?as_of=")
    assert paths["matrix with a plan (?with=, cache miss)"].endswith("&with=bench-plan")
    assert paths["compare with a plan (?with=, cache miss)"].startswith(
        "/talks/a/compare?parties=p1,p2&as_of="
    )
    assert paths["compare with a plan (?with=, cache miss)"].endswith("&with=bench-plan")
    scripts = {page.name: page.script for page in pages(sample, route_resolver(app))}
    # A new date on each request, from the plan's first version (earlier dates are a 400).
    for name in (
        "matrix with a plan (?with=, cache miss)",
        "compare with a plan (?with=, cache miss)",
    ):
        script = scripts[name]
        assert script[0].endswith("as_of_miss.lua") and script[1].endswith("with=bench-plan")
        assert script[2] == PLAN_START.isoformat()
