"""Test and bench support: live servers on loopback, and the Chromium that Playwright should drive.

``python -m server.testing ensure-browser`` is what ``make test`` runs first.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

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


class LiveServer:
    """A WSGI app served over real HTTP on loopback from a background thread."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, url_host: str | None = None):
        self.app = app
        self._server = make_server(host, port, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://{url_host or host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# Functional tests share one address and make many sessions a minute; the limit tests set their own.
UNLIMITED = {"RATELIMIT_SESSIONS": "100000/minute", "RATELIMIT_FINALIZE": "100000/minute"}


def providers_on(sandbox_url: str) -> dict:
    """Merchant app configuration pointing every PSP at a sandbox (the demo's defaults, other port)."""
    from .sandbox import base_urls

    return {name.upper(): {"BASE_URL": url} for name, url in base_urls(sandbox_url).items()}


class RequestRecorder:
    """WSGI middleware recording everything a service receives: method, URL, headers and body."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.requests: list[dict] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        # Content-Length is left out: a byte count is not content, and would read as a 3-digit "CVC".
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items()
                   if k.startswith("HTTP_") and k != "HTTP_CONTENT_LENGTH"}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        query = environ.get("QUERY_STRING", "")
        self.requests.append({
            "method": environ["REQUEST_METHOD"],
            "url": environ.get("PATH_INFO", "") + ("?" + query if query else ""),
            "headers": headers,
            "body": body.decode("utf-8", "replace"),
        })
        return self.wsgi_app(environ, start_response)

    def transcript(self) -> str:
        return "\n".join(f"{r['method']} {r['url']} {r['headers']} {r['body']}" for r in self.requests)


class LogCapture(logging.Handler):
    """Every log line of the process, formatted as a handler would write it."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))

    def __enter__(self):
        root = logging.getLogger()
        self._level = root.level
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc):
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._level)


def secrets_found(text: str, typed: list[str]) -> list[str]:
    """The invariant check: typed PANs or CVCs (digit-bounded) and any Luhn-valid 13-19 digit run."""
    from .pan import PAN_SHAPED, find_pans

    hits = [f"typed value ending {t[-2:]}" for t in typed
            if re.search(rf"(?<![0-9A-Za-z]){re.escape(t)}(?![0-9A-Za-z])", text)]
    for match in PAN_SHAPED.finditer(text):
        if find_pans(match.group(0)):
            around = text[max(0, match.start() - 60): match.start()] + "<run>" + text[match.end(): match.end() + 30]
            hits.append(f"Luhn-valid run ending {match.group(0)[-4:]} after: {around!r}")
    return hits


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


if __name__ == "__main__":
    if sys.argv[1:] == ["ensure-browser"]:
        sys.exit(ensure_browser())
    print("usage: python -m server.testing ensure-browser", file=sys.stderr)
    sys.exit(2)


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
