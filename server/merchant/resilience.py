"""Time bounds on PSP calls: a deadline for each request's PSP calls, retries included, below the 60 s a
proxy usually waits; and per PSP, a limit on calls in flight in this process and a circuit breaker, so one
slow or dead PSP fails fast with 503 psp_unavailable and Retry-After instead of taking every worker.

Each adapter's `requests.Session` is replaced by a GuardedSession; adapters keep calling `self.http(...)`,
whose transport-error path turns the refusals below into psp_unavailable.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app, g, has_request_context
from requests.utils import get_environ_proxies, get_netrc_auth

log = logging.getLogger("panless.resilience")


class PspRefused(requests.ConnectionError):
    """Not sent: the request's deadline has passed, the PSP's circuit is open, or too many calls are in flight."""

    def __init__(self, reason: str, retry_after: float):
        super().__init__(reason)
        self.retry_after = retry_after


def start_deadline() -> None:
    g.psp_deadline = time.monotonic() + float(current_app.config["REQUEST_DEADLINE"])


def remaining() -> float | None:
    """Seconds left for this request's PSP calls; None outside a request (a CLI check has its own timeouts)."""
    if not has_request_context() or "psp_deadline" not in g:
        return None
    return g.psp_deadline - time.monotonic()


def note_retry_after(seconds: float) -> None:
    if has_request_context():
        g.retry_after = max(1, int(seconds + 0.999))


class Guard:
    """Per PSP and process: a semaphore on calls in flight and a consecutive-failure circuit breaker."""

    def __init__(self, name: str, max_concurrent: int, failures: int, reset: float):
        self.name, self.failures_to_open, self.reset = name, failures, reset
        self.slots = threading.BoundedSemaphore(max_concurrent)
        self.lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None
        self.trial = False  # half-open: one call is trying the PSP again

    def admit(self) -> None:
        with self.lock:
            if self.opened_at is None:
                return
            waited = time.monotonic() - self.opened_at
            if waited < self.reset or self.trial:
                raise PspRefused(f"{self.name}: circuit open", max(1.0, self.reset - waited))
            self.trial = True

    def record(self, ok: bool) -> None:
        with self.lock:
            self.trial = False
            if ok:
                self.failures, self.opened_at = 0, None
                return
            self.failures += 1
            if self.failures >= self.failures_to_open:
                if self.opened_at is None:
                    log.warning("%s: %d consecutive failures, failing fast for %ss", self.name, self.failures,
                                self.reset)
                self.opened_at = time.monotonic()

    def call(self, send, wait: float):
        self.admit()
        if not self.slots.acquire(timeout=max(0.0, min(wait, 1.0))):
            with self.lock:
                self.trial = False
            raise PspRefused(f"{self.name}: too many calls in flight", 2.0)
        try:
            response = send()
        except requests.RequestException:
            self.record(False)
            raise
        finally:
            self.slots.release()
        self.record(response.status_code < 500)
        return response


class GuardedSession(requests.Session):
    """A requests.Session whose calls respect the request's deadline and the PSP's guard. Its connections
    to the PSP are pooled and kept alive; what requests reads from the environment on every call (proxies
    and NO_PROXY, the CA bundle, ~/.netrc) is read once per PSP origin, as the environment is the process's."""

    def __init__(self, guard: Guard):
        super().__init__()
        self.guard = guard
        self.trust_env = False  # the environment is applied below, from `_environment`
        self._environment: dict[tuple[str, str], dict] = {}

    def _environment_for(self, url: str) -> dict:
        origin = urlsplit(url)[:2]
        found = self._environment.get(origin)
        if found is None:  # the same values requests would find, once (a race computes them twice, alike)
            found = self._environment[origin] = {
                "proxies": get_environ_proxies(url), "netrc": get_netrc_auth(url),
                "verify": os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")}
        return found

    def prepare_request(self, request):
        if request.auth is None and self.auth is None:
            request.auth = self._environment_for(request.url)["netrc"]
        return super().prepare_request(request)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        environment = self._environment_for(url)
        proxies = {**environment["proxies"], **(proxies or {})}
        if (verify is True or verify is None) and environment["verify"]:
            verify = environment["verify"]
        return super().merge_environment_settings(url, proxies, stream, verify, cert)

    def request(self, method, url, *args, **kwargs):
        left = remaining()
        if left is not None:
            if left <= 0.05:
                note_retry_after(1)
                raise PspRefused(f"{self.guard.name}: request deadline passed", 1.0)
            timeout = kwargs.get("timeout")
            kwargs["timeout"] = min(timeout, left) if isinstance(timeout, (int, float)) else left
        try:
            return self.guard.call(lambda: super(GuardedSession, self).request(method, url, *args, **kwargs),
                                   left if left is not None else 1.0)
        except PspRefused as refused:
            note_retry_after(refused.retry_after)
            raise


def init_app(app: Flask) -> None:
    config = app.config
    for name, provider in app.extensions["panless_providers"].items():
        section = config.get(name.upper()) or {}
        guard = Guard(name, int(section.get("MAX_CONCURRENT") or config["PSP_MAX_CONCURRENT"]),
                      int(config["PSP_CIRCUIT_FAILURES"]), float(config["PSP_CIRCUIT_RESET"]))
        provider.session = GuardedSession(guard)
    app.before_request(start_deadline)
    app.after_request(keep_retry_after)


def keep_retry_after(response):
    """A PSP outage's Retry-After on its 503, whatever else wrote that header on the way out."""
    if response.status_code == 503 and "retry_after" in g:
        response.headers["Retry-After"] = str(g.retry_after)
    return response
