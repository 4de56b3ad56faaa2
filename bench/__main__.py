"""`make bench`: sizes, browser timings and backend throughput of the demo stack, with each figure beside
its goal. Writes bench/results.json and bench/results.md and the README's table; exits 1 when a size budget
is exceeded. Run after `make test`'s set-up (it needs the virtualenv and a Chromium)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from panless.merchant.providers import ADAPTERS
from tests.support.browser import chromium_executable

from . import browser, load, relay
from .stack import Stack

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
BUDGETS = {"embed_gzip": 2048, "frame_gzip": 10240}
GOALS = {"overhead_ratio": 1.3, "round_trips": 2}
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


def table(results: dict) -> str:
    b, flows = results["browser"], results["backend"]["flows"]
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    size = lambda s: f"{kb(s['raw'])} raw, **{kb(s['gzip'])} gzip**" + (  # noqa: E731
        f", {kb(s['brotli'])} brotli" if s.get("brotli") else "")
    ok = lambda good: "met" if good else "**missed**"  # noqa: E731
    trips = b["round_trips_after_submit"]
    missed = [NAMES[psp] for psp, n in trips.items() if n > GOALS["round_trips"]]
    trips_verdict = ok(not missed) if not missed or len(missed) == len(trips) else (
        f"met for {', '.join(NAMES[p] for p in trips if NAMES[p] not in missed)}; **missed** for {', '.join(missed)}")
    rows = [
        ("Embed: everything the checkout page loads", size(b["embed"]), "≤ 2 KB gzip",
         ok(b["embed"]["gzip"] <= BUDGETS["embed_gzip"])),
        ("Card frame: HTML, JS and CSS", size(b["frame"]), "≤ 10 KB gzip",
         ok(b["frame"]["gzip"] <= BUDGETS["frame_gzip"])),
        (f"mount() to `ready` (p50 / p95, {b['runs']} cold runs)",
         f"{b['ready_ms']['p50']:.0f} / {b['ready_ms']['p95']:.0f} ms", "", ""),
        ("Submit to token through the iframe (p50 / p95)",
         f"{b['submit_to_token_ms']['p50']:.0f} / {b['submit_to_token_ms']['p95']:.0f} ms", "", ""),
        ("Same requests made bare with fetch (p50 / p95)",
         f"{b['bare_requests_ms']['p50']:.0f} / {b['bare_requests_ms']['p95']:.0f} ms", "", ""),
        ("Kit overhead: submit-to-token / bare (p50 / p95)",
         f"{b['overhead_ratio']['p50']:.2f} / {b['overhead_ratio']['p95']:.2f}", "≤ 1.3",
         ok(b["overhead_ratio"]["p50"] <= GOALS["overhead_ratio"])),
        ("Sequential browser round trips after submit, CORS preflights included",
         ", ".join(f"{NAMES[psp]} {n}" for psp, n in trips.items()), "2", trips_verdict),
    ]
    if results.get("relay"):
        r = results["relay"]
        rows.append((f"Card to token through the relay / the same PSP call made bare ({NAMES[r['psp']]}, p50)",
                     f"{r['relayed_p50_ms']:.0f} / {r['bare_p50_ms']:.0f} ms: **{r['ratio_p50']:.2f}**", "", ""))
    rows += [(f"Complete flows, {f['clients']} concurrent client{'s' if f['clients'] > 1 else ''}",
              f"{f['per_second']}/s, p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, {f['errors']} errors", "", "")
             for f in flows]
    t = results["backend"]["sandbox_tokenizer"]
    rows.append(("Sandbox tokenizations alone (8 clients)", f"{t['per_second']}/s, p50 {t['p50_ms']} ms, "
                 f"{t['errors']} errors", "", ""))
    m = results["machine"]
    lines = [f"Measured {results['date']} on {m['cpus']} × {m['cpu']}, {m['memory']}, {m['os']}, Python "
             f"{m['python']}, {m['browser']}; merchant app under gunicorn ({results['workers']} workers × 8 "
             "threads), sandbox under gunicorn (1 worker × 16 threads), all on this one machine.", "",
             "| figure | measured | goal | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b_} | {c} | {d} |" for a, b_, c, d in rows]
    return "\n".join(lines) + "\n"


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
    with Stack(workers=workers) as stack:
        print("bench: browser figures...", flush=True)
        browser_results = browser.measure(stack, runs)
        print("bench: through the relay...", flush=True)
        relayed = relay.measure(stack, runs)
        print("bench: backend load...", flush=True)
        backend = load.measure(stack, seconds=seconds)
    results = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "workers": workers,
               "budgets": BUDGETS, "goals": GOALS, "browser": browser_results, "relay": relayed, "backend": backend}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = table(results)
    (HERE / "results.md").write_text(markdown)
    update_readme(markdown)
    print(markdown)
    over = [name for name, key in (("embed", "embed"), ("frame", "frame"))
            if browser_results[key]["gzip"] > BUDGETS[f"{name}_gzip"]]
    if over:
        print(f"bench: size budget exceeded: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
