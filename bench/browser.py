"""Browser figures in Chromium: what the checkout page and the card frame load, time from mount() to
`ready`, time from submit to token (and the same requests made bare with fetch), round trips."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime

import requests
from playwright.sync_api import sync_playwright

from server.testing import launch_args

try:
    import brotli
except ImportError:  # optional: sizes are reported without it
    brotli = None

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
MOUNT = """async (origin) => {
    const t0 = performance.now();
    window.card = window.Panless.mount('#card', {origin, provider: 'mangopay'});
    await new Promise((resolve) => window.card.on('ready', resolve));
    return performance.now() - t0;
}"""
SUBMIT = """async () => {
    const t0 = performance.now();
    await window.card.submit();
    return performance.now() - t0;
}"""
# The same two requests the kit makes after submit, made bare from the frame with fetch: the PSP post and
# the finalize. Their session is made first (not timed), as the kit's is made during load.
BARE = """async ([number, expiry]) => {
    const token = document.getElementById('card-form').dataset.customerToken;
    const headers = {'Content-Type': 'application/json', Authorization: 'Bearer ' + token};
    const session = await (await fetch('/api/sessions', {method: 'POST', headers, body: '{}'})).json();
    const t = session.target;
    const form = new URLSearchParams({...t.fields, cardNumber: number, cardExpirationDate: expiry, cardCvx: '123'});
    const t0 = performance.now();
    const text = await (await fetch(t.url, {method: 'POST', body: form, credentials: 'omit'})).text();
    await (await fetch(`/api/sessions/${session.id}/finalize`,
        {method: 'POST', headers, body: JSON.stringify({result: text})})).json();
    return performance.now() - t0;
}"""


def sizes(urls: list[str]) -> dict:
    files, raw, gz, br = [], 0, 0, 0
    for url in urls:
        body = requests.get(url, timeout=10).content
        entry = {"url": url, "raw": len(body), "gzip": len(gzip.compress(body, 9))}
        if brotli:
            entry["brotli"] = len(brotli.compress(body, quality=11))
        files.append(entry)
        raw, gz, br = raw + entry["raw"], gz + entry["gzip"], br + entry.get("brotli", 0)
    return {"files": files, "raw": raw, "gzip": gz, "brotli": br if brotli else None}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def fill(frame) -> None:
    frame.locator("#name").fill("Bench Shopper")
    frame.locator("#number").fill("4970107111111119")
    frame.locator("#number").dispatch_event("input")
    frame.locator("#expiry").fill(f"12 / {YY}")
    frame.locator("#cvc").fill("123")


def measure(stack, runs: int = 30) -> dict:
    ready, submit, bare, trips, loaded = [], [], [], [], None
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args({}))
        for _ in range(runs):
            context = browser.new_context()  # a first visit each run: nothing cached
            page = context.new_page()
            requested: list[tuple[float, str, str]] = []
            page.on("request", lambda r, log=requested: log.append((time.monotonic(), r.url, r.frame.url)))
            page.goto(stack.checkout.url + "/")
            page.wait_for_function("() => window.embedReady === true")
            ready.append(page.evaluate(MOUNT, stack.app_url))
            frame = page.frame_locator("#card iframe")
            fill(frame)
            before = len(requested)
            started = time.monotonic()
            submit.append(page.evaluate(SUBMIT))
            done = time.monotonic()
            if loaded is None:  # everything loaded up to the token, so that nothing fetched late is missed
                loaded = [(url, frame_url) for _, url, frame_url in requested]
            trips.append(len([r for r in requested[before:] if started <= r[0] <= done
                              and ("/vault/tokenize/" in r[1] or r[1].endswith("/finalize"))]))
            card_frame = next(f for f in page.frames if "/frame?" in f.url)
            bare.append(card_frame.evaluate(BARE, ["4970107111111119", f"12{YY}"]))
            context.close()
        browser.close()
    checkout_files = [u for u, f in loaded if "/frame?" not in f and "/static/" in u]
    frame_files = [u for u, f in loaded if "/frame?" in u or ("/frame?" in f and u.endswith((".js", ".css")))]
    overhead = [k / b for k, b in zip(submit, bare, strict=True)]
    return {
        "runs": runs,
        "embed": sizes(checkout_files),
        "frame": sizes(frame_files),
        "ready_ms": {"p50": percentile(ready, 50), "p95": percentile(ready, 95)},
        "submit_to_token_ms": {"p50": percentile(submit, 50), "p95": percentile(submit, 95)},
        "bare_requests_ms": {"p50": percentile(bare, 50), "p95": percentile(bare, 95)},
        "overhead_ratio": {"p50": percentile(overhead, 50), "p95": percentile(overhead, 95)},
        "round_trips_after_submit": max(trips),
    }
