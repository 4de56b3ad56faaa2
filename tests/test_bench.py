"""The bench's table: each figure beside its goal, and the verdicts right (the stack itself runs in `make bench`)."""

from bench.__main__ import BUDGETS, table


def results(frame_gzip: int, overhead: float, trips: dict) -> dict:
    size = {"raw": 4000, "gzip": 1800, "brotli": 1500}
    return {
        "date": "2026-11-23T00:00:00+00:00", "workers": 3,
        "machine": {"cpus": 2, "cpu": "CPU", "memory": "1 GiB", "os": "Linux", "python": "3.11", "browser": "Chromium"},
        "browser": {"runs": 30, "embed": size, "frame": {**size, "gzip": frame_gzip},
                    "ready_ms": {"p50": 200, "p95": 300}, "submit_to_token_ms": {"p50": 40, "p95": 60},
                    "bare_requests_ms": {"p50": 30, "p95": 45}, "overhead_ratio": {"p50": overhead, "p95": 2.0},
                    "round_trips_after_submit": trips},
        "backend": {"flows": [{"clients": 1, "per_second": 40.0, "p50_ms": 25.0, "p99_ms": 35.0, "errors": 0}],
                    "sandbox_tokenizer": {"per_second": 700.0, "p50_ms": 10.0, "errors": 0}},
    }


def row(markdown: str, start: str) -> str:
    return next(line for line in markdown.splitlines() if line.startswith(f"| {start}"))


def test_each_figure_is_beside_its_goal_with_its_verdict():
    within = table(results(BUDGETS["frame_gzip"], 1.3, {"mangopay": 2, "juspay": 2, "stax": 2}))
    assert row(within, "Card frame").endswith("| ≤ 10 KB gzip | met |")
    assert row(within, "Kit overhead").endswith("| ≤ 1.3 | met |")
    assert row(within, "Sequential").endswith("| Mangopay 2, Juspay 2, Stax 2 | 2 | met |")

    over = table(results(BUDGETS["frame_gzip"] + 1, 1.31, {"mangopay": 2, "juspay": 3, "stax": 3}))
    assert row(over, "Card frame").endswith("| ≤ 10 KB gzip | **missed** |")
    assert row(over, "Kit overhead").endswith("| ≤ 1.3 | **missed** |")
    assert row(over, "Sequential").endswith("| 2 | met for Mangopay; **missed** for Juspay, Stax |")
    assert row(table(results(1, 1.0, {"mangopay": 3})), "Sequential").endswith("| 2 | **missed** |")


def test_the_machine_is_described():
    assert table(results(1, 1.0, {"mangopay": 2})).startswith("Measured 2026-11-23T00:00:00+00:00 on 2 × CPU, 1 GiB")
