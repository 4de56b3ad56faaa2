"""`make bench`: sizes, browser timings and backend throughput of the demo stack, with each figure beside
its goal. Writes bench/results.json and bench/results.md and the README's table; exits 1 when any goal is
missed. Run after `make test`'s set-up (it needs the virtualenv and a Chromium)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from panless.merchant.providers import ADAPTERS
from tests.support.browser import chromium_executable

from . import browser, load, ready, relay, token, wire
from .goals import Row, missed, table
from .stack import Stack

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
NAMES = {adapter.name: adapter.title for adapter in ADAPTERS}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    memory = ""
    if Path("/proc/meminfo").exists():
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    chromium = subprocess.run([chromium_executable(), "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "os": platform.platform(),
            "python": platform.python_version(), "browser": chromium}


def header(date: str, m: dict, workers: int) -> str:
    return (f"Measured {date} on {m['cpus']} × {m['cpu']}, {m['memory']}, {m['os']}, Python {m['python']}, "
            f"{m['browser']}; merchant app under gunicorn ({workers} workers × 8 threads), sandbox under gunicorn "
            "(1 worker × 16 threads), all on this one machine. Ratios are of medians of interleaved runs.")


def update_readme(markdown: str) -> None:
    text = README.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        README.write_text(head + start + "\n" + markdown + end + rest.split(end, 1)[1])


def main() -> int:
    runs = int(os.environ.get("PANLESS_BENCH_RUNS", "30"))
    seconds = float(os.environ.get("PANLESS_BENCH_SECONDS", "8"))
    workers = 3
    rows: list[Row] = []
    with Stack(workers=workers) as stack:
        print("bench: bytes on the wire...", flush=True)
        rows += wire.rows(stack, runs)
        print("bench: browser figures...", flush=True)
        rows += browser.rows(stack, runs)
        rows += ready.rows(stack, runs)
        rows += token.rows(stack, runs)  # submit() to the saved card beside Mangopay's kit
        print("bench: through the relay...", flush=True)
        rows += relay.rows(stack, runs)
        print("bench: backend load...", flush=True)
        rows += load.rows(stack, seconds=seconds)
        flows = int(os.environ.get("PANLESS_BENCH_FLOWS", "5000"))
        clients = int(os.environ.get("PANLESS_BENCH_CLIENTS", "32"))
        print(f"bench: bounded run, {flows} flows by {clients} shoppers...", flush=True)
        rows += load.bounded_rows(stack, flows, clients)
    date = datetime.now(UTC).isoformat(timespec="seconds")
    results = {"date": date, "machine": machine(), "workers": workers,
               "rows": [{**asdict(r), "goal": r.goal, "met": r.met} for r in rows]}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = table(rows, header(date, results["machine"], workers))
    (HERE / "results.md").write_text(markdown)
    update_readme(markdown)
    print(markdown)
    for row in missed(rows):
        print(f"bench: goal missed: {row.figure}: {row.value} against {row.goal}", file=sys.stderr)
    return 1 if missed(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
