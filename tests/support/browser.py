"""The Chromium that Playwright drives (Playwright's own build if present, else Debian's), and the
helpers browser tests and the bench share.

``python -m tests.support.browser ensure-browser`` is what ``make test`` runs first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

DEBIAN_CHROMIUM = "/usr/bin/chromium"

# Flags this sandboxed machine needs: without the background-networking ones Chromium keeps dialling
# Google's hosts and the closed network refuses them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def playwright_chromium() -> str | None:
    """Playwright's own Chromium build when one is installed (newest first), else None."""
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    for pattern in ("chromium_headless_shell-*/chrome-*/chrome-headless-shell", "chromium-*/chrome-linux*/chrome"):
        found = sorted(root.glob(pattern))
        if found:
            return str(found[-1])
    return None


def chromium_executable() -> str:
    """The executable handed to Playwright: PANLESS_CHROMIUM, Playwright's own, else Debian's chromium."""
    for candidate in (os.environ.get("PANLESS_CHROMIUM"), playwright_chromium(), DEBIAN_CHROMIUM):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError(
        "No Chromium for Playwright: run `make browser` (installs Debian's chromium as root) "
        "or set PANLESS_CHROMIUM to a Chromium executable."
    )


def ensure_browser() -> int:
    if playwright_chromium():
        print(f"browser: Playwright's Chromium at {playwright_chromium()}")
        return 0
    if Path(DEBIAN_CHROMIUM).exists():
        print(f"browser: Debian's chromium at {DEBIAN_CHROMIUM}")
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("browser: no Chromium found; as root run `apt-get install -y chromium`", file=sys.stderr)
        return 1
    print("browser: installing Debian's chromium with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
    return 0 if done.returncode == 0 and Path(DEBIAN_CHROMIUM).exists() else 1


def launch_args(defaults: dict) -> dict:
    """Playwright launch arguments for this machine's Chromium (used by playwright/conftest.py)."""
    args = dict(defaults)
    args["executable_path"] = chromium_executable()
    args["args"] = [*args.get("args", []), *CHROMIUM_ARGS]
    return args


def fill_card(where, invariant, number: str, expiry: str, cvc: str = "847", name: str = "Jody Smith",
              postal: str = "32801") -> None:
    """Types a card into the card form in `where` (a Playwright page or frame locator) key by key, as a shopper
    would, once the invariant knows what will be typed; the postal code only when the form asks for it."""
    invariant.type(number, cvc)
    where.locator("#name").fill(name)
    where.locator("#number").press_sequentially(number)
    where.locator("#expiry").press_sequentially(expiry)
    where.locator("#cvc").press_sequentially(cvc)
    if where.locator("#postal").is_visible():
        where.locator("#postal").fill(postal)


# The shop's checkout replaces its card frame with one mounted with `options` (the embed's own mount()).
MOUNT = """async ([origin, options]) => {
    window.panlessCard.destroy();
    const { mount } = await import(origin + '/static/js/embed/panless.js');
    window.events = [];
    window.card = mount('#card-element', {origin, ...options});
    window.card.on('ready', () => window.events.push('ready'));
}"""


def mounted(page, merchant, **options):
    """The card frame mounted with `options` on the checkout `page` shows, once it is ready."""
    page.evaluate(MOUNT, [merchant.url, options])
    page.wait_for_function("() => window.events.includes('ready')")
    return page.frame_locator("#card-element iframe")


if __name__ == "__main__":
    if sys.argv[1:] == ["ensure-browser"]:
        sys.exit(ensure_browser())
    print("usage: python -m tests.support.browser ensure-browser", file=sys.stderr)
    sys.exit(2)


