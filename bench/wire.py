"""Bytes on the wire, as Chromium counts them (response headers and encoded body), for a first visit to a
checkout page that mounts the card frame and saves a card: the frame's own HTML, JS and CSS, and the embed the
checkout page loads; then a repeat visit in the same browser, which should fetch no static file at all, only the
frame's HTML."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from playwright.sync_api import sync_playwright

from tests.support.browser import launch_args

from .browser import MOUNT, SUBMIT, fill
from .goals import Row

# The card frame in the checkout page's process, so that one DevTools session sees both windows' requests
# (bytes on the wire do not depend on which process asks).
IN_ONE_PROCESS = ["--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process"]
KINDS = {"Document", "Script", "Stylesheet"}


@dataclass
class Visit:
    """What one visit fetched: url -> bytes received (headers included), split by the window that asked."""

    frame: dict[str, int] = field(default_factory=dict)
    embed: dict[str, int] = field(default_factory=dict)
    static_fetched: list[str] = field(default_factory=list)  # /static/ requests that went to the network


def visit(page, cdp, stack) -> Visit:
    sent, cached, received, done = {}, set(), {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: sent.__setitem__(e["requestId"], e))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.responseReceived", lambda e: received.__setitem__(e["requestId"], e["response"]))
    cdp.on("Network.loadingFinished", lambda e: done.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(stack.checkout.url + "/")
    page.wait_for_function("() => window.embedReady === true")
    page.evaluate(MOUNT, [stack.app_url, "mangopay"])
    # The whole visit, card typed and saved: a file the frame loads on demand (at first focus, at submit) is
    # part of what a first visit costs.
    fill(page.frame_locator("#card iframe"))
    page.evaluate(SUBMIT)
    page.wait_for_timeout(300)  # loadingFinished of the last file may trail the answer by a moment
    main_id = cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
    result = Visit()
    for request_id, event in sent.items():
        url, kind = event["request"]["url"], event.get("type")
        if not url.startswith(stack.app_url) or kind not in KINDS:
            continue
        response = received.get(request_id, {})
        from_cache = request_id in cached or response.get("fromDiskCache") or response.get("fromPrefetchCache")
        if "/static/" in url and not from_cache:
            result.static_fetched.append(url)
        if from_cache:
            continue
        in_frame = event.get("frameId") != main_id or "/frame?" in url
        (result.frame if in_frame else result.embed)[url] = done.get(request_id, 0)
    return result


def measure(stack, runs: int = 3) -> dict:
    first, repeat = [], []
    with sync_playwright() as p:
        args = launch_args({})
        args["args"] = [*args["args"], *IN_ONE_PROCESS]
        browser = p.chromium.launch(**args)
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Page.enable")
            first.append(visit(page, cdp, stack))
            page.close()
            page = context.new_page()  # the same browser context: its HTTP cache is the shopper's
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Page.enable")
            repeat.append(visit(page, cdp, stack))
            context.close()
        browser.close()
    return {"first": first, "repeat": repeat}


def rows(stack, runs: int) -> list[Row]:
    r = measure(stack, max(1, min(runs, 3)))
    frame = statistics.median(sum(v.frame.values()) for v in r["first"])
    embed = statistics.median(sum(v.embed.values()) for v in r["first"])
    statics = max(len(v.static_fetched) for v in r["repeat"])
    documents = max(len(v.frame) for v in r["repeat"])
    files = r["first"][0]
    names = lambda d: ", ".join(f"{u.rsplit('/', 1)[-1].split('?')[0]} {n / 1024:.1f}" for u, n in d.items())  # noqa: E731
    return [
        Row("First visit: the card frame (HTML, JS, CSS), headers included", f"{frame / 1024:.2f} KB "
            f"({names(files.frame)})", round(frame / 1024, 2), 10, unit=" KB"),
        Row("First visit: the embed the checkout page loads, headers included", f"{embed / 1024:.2f} KB "
            f"({names(files.embed)})", round(embed / 1024, 2), 2, unit=" KB"),
        Row("Repeat visit: requests for static files (the frame's HTML aside)",
            f"{statics} static, {documents} frame HTML", statics, 0, unit=" requests"),
    ]
