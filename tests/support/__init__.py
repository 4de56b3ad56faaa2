"""Test and bench support: live servers on loopback, request recorders, log capture, the invariant check.

The Chromium finder and Playwright helpers are in tests/support/browser.py. None of this ships in the wheel.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import subprocess
import threading
import time

import requests
from werkzeug.serving import make_server


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
    from panless.sandbox import base_urls

    return {name.upper(): {"BASE_URL": url} for name, url in base_urls(sandbox_url).items()}


# Headers the recorder leaves out: no page script can write them, and their numbers are not card data but read
# as if they were: Content-Length is a byte count (a 3-digit "CVC"), and the browser's User-Agent and client hints
# carry its version (Chromium 156.0.8078.84 holds a 2-digit "CVC").
NOT_CONTENT = frozenset({"HTTP_CONTENT_LENGTH", "HTTP_USER_AGENT", "HTTP_SEC_CH_UA", "HTTP_SEC_CH_UA_FULL_VERSION",
                         "HTTP_SEC_CH_UA_FULL_VERSION_LIST", "HTTP_SEC_CH_UA_PLATFORM_VERSION"})


class RequestRecorder:
    """WSGI middleware recording everything a service receives: method, URL, headers and body."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.requests: list[dict] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items()
                   if k.startswith("HTTP_") and k not in NOT_CONTENT}
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
    """The invariant check: typed PANs (digit-bounded: glued to letters too) or CVCs (bounded by letters and
    digits), and any Luhn-valid 13-19 digit run not glued to letters, spaced or not (a grouped number with a
    trailing group read both ways). Runs glued to letters are left to the typed check: random hex (an
    Idempotency-Key) holds a Luhn-valid run between letters often enough to make the check flaky."""
    from panless.core.pan import card_spans

    edge = lambda t: "[0-9]" if len(t) > 4 else "[0-9A-Za-z]"  # noqa: E731
    hits = [f"typed value ending {t[-2:]}" for t in typed
            if re.search(rf"(?<!{edge(t)}){re.escape(t)}(?!{edge(t)})", text)]
    for start, end, _ in card_spans(text):
        around = text[max(0, start - 60): start] + "<run>" + text[end: end + 30]
        hits.append(f"Luhn-valid run ending {text[end - 4:end]} after: {around!r}")
    return hits


def free_port() -> int:
    """A port nothing listens on now, for a server started in another process."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Until `url` answers at all (any status); fails early when `proc`, the server, has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc is None or proc.poll() is None, f"{url}: the server exited with {proc.returncode}"
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")
