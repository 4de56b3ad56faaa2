"""Time to a usable form: mount() to `ready`, beside a bare iframe of the same origin holding a plain four-input
form (bench/apps.py serves it from the merchant app's own process), each in a cold browser context on the
checkout page of the stack, turn about."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import sync_playwright

from tests.support.browser import launch_args

from .browser import settle
from .goals import Row, interleaved, ratio_row

GOAL = 1.5
# As a checkout integrates it: its backend issued the customer token and the start code that the page hands to
# mount() (README, "Embedding the card frame").
MOUNT = """async ([origin, [customerToken, startCode]]) => {
    const t0 = performance.now();
    const card = window.Panless.mount('#card', {origin, customerToken, startCode, provider: 'mangopay'});
    await new Promise((resolve, reject) => card.on('ready', resolve).on('error', reject));
    return performance.now() - t0;
}"""
# The reference: from creating the iframe to its load event (a page without subresources is usable then).
BARE = """async (url) => {
    const t0 = performance.now();
    const frame = document.createElement('iframe');
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, {once: true}));
    frame.src = url;
    document.querySelector('#card').append(frame);
    await loaded;
    return performance.now() - t0;
}"""


def customer_token(stack) -> tuple[str, str]:
    """A new shopper's customer token and start code, issued together as a checkout's backend issues them for
    each page view (the checkout page carries both, bench/stack.py): the PSP has no user for it yet."""
    page = requests.get(f"{stack.checkout.url}/", timeout=10).text
    token, code = (re.search(rf'data-{name}="([^"]+)"', page).group(1) for name in ("customer-token", "start-code"))
    return token, code


def timed(browser, stack, script: str, argument) -> float:
    """One cold run: a new context (nothing cached, no connection kept), the checkout page, the browser left to
    finish starting the new window, then `script`."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(stack.checkout.url + "/")
        page.wait_for_function("() => window.embedReady === true")
        settle(browser)  # the new window's own start-up over, on both sides (bench/browser.py)
        return page.evaluate(script, argument)
    finally:
        context.close()


def rows(stack, runs: int) -> list[Row]:
    bare_url = f"{stack.app_url}/_bench/bare"
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args({}))
        try:
            ours, reference = interleaved(
                runs,
                lambda: timed(browser, stack, MOUNT, [stack.app_url, customer_token(stack)]),
                lambda: timed(browser, stack, BARE, bare_url),
            )
        finally:
            browser.close()
    return [ratio_row(f"mount() to `ready` / a bare same-origin iframe with a four-input form (p50, {runs} cold "
                      "runs each)", ours, reference, GOAL, names=("Panless", "bare iframe"))]
