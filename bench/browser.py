"""Browser helpers the bench's Chromium figures share (open the checkout page, mount, fill, submit), and the
round trips after submit per PSP. What crosses the wire is bench/wire.py's, time to ready bench/ready.py's,
time to the saved card bench/token.py's."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from playwright.sync_api import sync_playwright

from panless.merchant.providers import ADAPTERS
from tests.support.browser import launch_args

from .goals import Row

YY = f"{(datetime.now(UTC).year + 3) % 100:02d}"
MOUNT = """async ([origin, provider]) => {
    const t0 = performance.now();
    window.card = window.Panless.mount('#card', {origin, provider});
    await new Promise((resolve) => window.card.on('ready', resolve));
    return performance.now() - t0;
}"""
SUBMIT = """async () => {
    const t0 = performance.now();
    await window.card.submit();
    return performance.now() - t0;
}"""
# How quiet the browser must be before a timed step: at most this much CPU, all its processes together, in each
# of two polls this far apart (Chromium reports CPU time in 10 ms steps).
QUIET_CPU, QUIET_POLL, QUIET_WITHIN = 0.010, 0.1, 5.0


def settle(browser) -> None:
    """Waits (at most QUIET_WITHIN seconds) until Chromium's processes are idle, before a timed step on either side.

    A fresh browser context opens a new window, and for about a second after its first page has loaded Chromium
    starts that window's own UI (its WebUI renderers for the address bar's popup and the like): 1.2-1.9 of this
    machine's 2 cores, measured with SystemInfo.getProcessInfo. A shopper's window was opened long before the
    checkout mounts its card form; timing the mount, or the submit, inside that start-up measured the browser's
    window start-up as much as the page."""
    cdp = getattr(browser, "bench_cdp", None)  # one DevTools session per browser, kept on it
    if cdp is None:
        cdp = browser.bench_cdp = browser.new_browser_cdp_session()

    def cpu() -> float:
        return sum(p["cpuTime"] for p in cdp.send("SystemInfo.getProcessInfo")["processInfo"])

    deadline, quiet, last = time.monotonic() + QUIET_WITHIN, 0, cpu()
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(QUIET_POLL)
        now = cpu()
        quiet = quiet + 1 if now - last <= QUIET_CPU + 1e-9 else 0
        last = now


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def fill(frame) -> None:
    frame.locator("#name").fill("Bench Shopper")
    frame.locator("#number").fill("4970107111111119")
    frame.locator("#number").dispatch_event("input")
    frame.locator("#expiry").fill(f"12 / {YY}")
    frame.locator("#cvc").fill("123")
    if frame.locator("#postal").is_visible():  # only for the PSPs that ask for it
        frame.locator("#postal").fill("32801")


def open_card(browser, stack, provider: str, record: bool = False):
    """A first visit to the checkout page, the card frame mounted for `provider` and filled in. Returns the
    context, the page, the time from mount() to `ready`, the card frame, and, when asked to record them, the
    requests made so far (and later) as (url, url of the frame that made it)."""
    context = browser.new_context()  # nothing cached
    page = context.new_page()
    requested: list[tuple[str, str]] = []
    if record:
        page.on("request", lambda r: requested.append((r.url, r.frame.url)))
    page.goto(stack.checkout.url + "/")
    page.wait_for_function("() => window.embedReady === true")
    settle(browser)
    ready = page.evaluate(MOUNT, [stack.app_url, provider])
    fill(page.frame_locator("#card iframe"))
    return context, page, ready, next(f for f in page.frames if "/frame?" in f.url), requested


def submit_watching_the_network(context, page, card_frame) -> list[str]:
    """Submit, with every request the card frame's network stack sends meanwhile, CORS preflights included
    (Chromium's DevTools protocol shows them; page events do not). The next session, prepared once the
    token is out, is not part of the flow. Watching costs time: not for timed runs."""
    cdp = context.new_cdp_session(card_frame)
    sent: list[str] = []
    cdp.on("Network.requestWillBeSent", lambda e: sent.append(f"{e['request']['method']} {e['request']['url']}"))
    cdp.send("Network.enable")
    page.evaluate(SUBMIT)
    cdp.detach()
    return [r for r in sent if not r.endswith("/api/sessions")]


def measure(stack, per_psp_runs: int = 3) -> dict:
    """Sequential round trips after submit, per PSP, in runs of their own: watching the network costs the
    frame time, so nothing is timed here (bench/token.py and bench/ready.py time the flow)."""
    trips = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args({}))
        for provider in [adapter.name for adapter in ADAPTERS]:
            for _ in range(per_psp_runs):
                context, page, _, card_frame, _ = open_card(browser, stack, provider)
                trips.setdefault(provider, []).append(len(submit_watching_the_network(context, page, card_frame)))
                context.close()
        browser.close()
    return {provider: max(counts) for provider, counts in trips.items()}


def rows(stack, runs: int) -> list[Row]:
    names = {adapter.name: adapter.title for adapter in ADAPTERS}
    return [Row("Sequential browser round trips after submit, CORS preflights included",
                ", ".join(f"{names[psp]} {n}" for psp, n in measure(stack).items()))]
