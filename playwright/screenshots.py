"""The README's screenshots: the hosted page and the embedded card frame at 375 px and 1280 px, light and dark.

    .venv/bin/python playwright/screenshots.py      # writes docs/screenshots/*.png

It starts the sandbox, the merchant app and the demo shop on loopback, as the browser tests do;
playwright/test_screenshots.py runs the same `shoot` and checks each picture.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SHOTS = [(kind, width, scheme) for kind in ("hosted", "embed") for width in (375, 1280) for scheme in ("light", "dark")]
NUMBER = "4970107111111119"  # Mangopay's published test card
MOUNT = """async ([origin, theme]) => {
    window.panlessCard.destroy();
    const { mount } = await import(origin + '/static/js/embed/panless.js');
    window.shot = [];
    window.card = mount('#card-element', {origin, hideButton: true, appearance: {theme}});
    window.card.on('ready', () => window.shot.push('ready'));
}"""


def name(kind: str, width: int, scheme: str) -> str:
    return f"{kind}-{width}-{scheme}.png"


def shoot(browser, merchant_url: str, shop_url: str, out: Path) -> list[Path]:
    """Takes every shot in SHOTS into `out`; the form shows a brand and an error, as a shopper would see it."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, width, scheme in SHOTS:
        context = browser.new_context(viewport={"width": width, "height": 760}, color_scheme=scheme, locale="en-US",
                                      device_scale_factor=1)
        page = context.new_page()
        if kind == "hosted":
            page.goto(f"{merchant_url}/pay")
            page.locator("#card-form[data-ready=true]").wait_for()
            where, target = page, page
        else:
            page.goto(f"{shop_url}/")
            page.wait_for_function("() => (window.panlessEvents || []).some((e) => e.event === 'ready')")
            page.evaluate(MOUNT, [merchant_url, scheme])
            page.wait_for_function("() => window.shot.includes('ready')")
            where, target = page.frame_locator("#card-element iframe"), page.locator("#card-element")
        where.locator("#name").fill("Jody Smith")
        where.locator("#number").press_sequentially(NUMBER)
        where.locator("#expiry").press_sequentially("13")  # "01 / 3": incomplete, and said so on blur
        where.locator("#cvc").focus()
        path = out / name(kind, width, scheme)
        target.screenshot(path=str(path), animations="disabled", caret="hide")
        written.append(path)
        context.close()
    return written


def main() -> int:
    sys.path.insert(0, str(ROOT))
    logging.basicConfig(level=logging.WARNING)  # the servers' request lines are not the point here
    from playwright.sync_api import sync_playwright

    from panless import create_app
    from panless.demo import create_app as create_shop
    from panless.sandbox import create_app as create_sandbox
    from tests.support import UNLIMITED, LiveServer, providers_on
    from tests.support.browser import CHROMIUM_ARGS, chromium_executable

    psp = LiveServer(create_sandbox(), url_host="localhost").start()
    # The shop and the merchant app name each other: the shop's port first, its app once the merchant's is known.
    shop = LiveServer(lambda environ, start: shop.wsgi(environ, start), url_host="localhost")
    merchant = LiveServer(create_app({**providers_on(psp.url), **UNLIMITED, "ALLOWED_ORIGINS": [shop.url]})).start()
    shop.wsgi = create_shop(merchant.url)
    shop.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            for path in shoot(browser, merchant.url, shop.url, OUT):
                print(path.relative_to(ROOT))
            browser.close()
    finally:
        for server in (shop, merchant, psp):
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
