"""The runner's parsing and bookkeeping (the HTTP runs themselves are not tests: no timings)."""

from __future__ import annotations

from bench.run import Result, combine, parse_wrk, verdicts

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
        Result("/ (cache miss: new as_of per request)", "1M", 16, rps=630),
        Result("reference app: matrix", "1M", 16, rps=700),
    ]
    (line,) = verdicts(results)
    assert "90% of the reference" in line
