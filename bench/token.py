"""Time to a token in Chromium: from submit() to the saved card, Panless's card frame against Mangopay's
browser kit plus the minimal merchant step (bench/kit_merchant.py), turn about, a fresh browser context for
every run on both sides. Filling the card is not timed on either side."""

from __future__ import annotations

from playwright.sync_api import sync_playwright

from tests.support.browser import launch_args

from .browser import SUBMIT, YY, open_card, settle
from .goals import Row, interleaved, ratio_row

KIT_SUBMIT = """async () => {
    const t0 = performance.now();
    const saved = await window.kitSubmit();
    if (!saved.card || !saved.card.token) throw new Error('no card saved');
    return performance.now() - t0;
}"""


def measure(stack, runs: int) -> tuple[list[float], list[float]]:
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args({}))

        def ours() -> float:
            context, page, _, _, _ = open_card(browser, stack, "mangopay")
            try:
                settle(browser)
                return page.evaluate(SUBMIT)
            finally:
                context.close()

        def kit() -> float:
            context = browser.new_context()
            try:
                page = context.new_page()
                page.goto(stack.kit_url + "/")
                page.fill("#number", "4970107111111119")
                page.fill("#expiry", f"12{YY}")
                page.fill("#cvc", "123")
                settle(browser)  # as on our side: the new window's own start-up is not the kit's
                return page.evaluate(KIT_SUBMIT)
            finally:
                context.close()

        try:
            return interleaved(runs, ours, kit)
        finally:
            browser.close()


def rows(stack, runs: int) -> list[Row]:
    ours, kit = measure(stack, runs)
    return [ratio_row("submit() to the saved card / Mangopay kit + minimal merchant step", ours, kit, 1.2,
                      names=("Panless", "kit + merchant"))]
