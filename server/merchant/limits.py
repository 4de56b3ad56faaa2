"""Anti-card-testing: rate limits per IP and per customer (moving windows, the `limits` library that
flask-limiter is built on), a cap on failed attempts per session, and a hook to require a challenge after
repeated failures.

Card testers try many cards fast, from many addresses, with rotating headers. The limits key on the client
address (X-Forwarded-For counts only behind PANLESS_PROXY_COUNT trusted proxies, so rotating it changes
nothing) and on the customer token: each limit holds for both, and a request over any is refused (429
rate_limited): a finish before it reaches the view, a session start when it would make a new session (not when
its Idempotency-Key names one already made) and before any PSP call. A limit of N per period is a moving
window: at most N hits in any period-long stretch of time, not per calendar minute. Storage is in memory by
default (one process), Redis by URL (PANLESS_RATELIMIT_STORAGE=redis://host:6379,
`pip install 'panless[redis]'`) when several workers or machines must share counts. A Redis that is missing
or unreachable at start-up stops the app with a message naming the setting; one that fails later lets requests through
(logged) rather than answering 500. The routes are checked here, in a few lines, rather than through
flask-limiter's request hooks, which evaluated every request's limits at several times the cost of counting them.

Challenge hook: `set_challenge(app, verify)` with `verify(answer: str, customer_id: str) -> bool`. Once a
customer, or a client address, has PANLESS_CHALLENGE_AFTER failed finishes within an hour, POST /api/sessions
needs an
`X-Panless-Challenge` header that `verify` accepts (a CAPTCHA answer, say), else 403 challenge_required.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from limits import RateLimitItem, parse, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..core.settings import ConfigError
from .auth import current_customer
from .errors import PanlessError

log = logging.getLogger("panless.limits")

# Finish failures that look like card testing (not transport trouble).
TESTING_SIGNALS = {"card_refused", "invalid_number", "invalid_expiry", "invalid_cvc", "invalid_result"}


def client_address() -> str:
    return request.remote_addr or "unknown"


def customer_or_address() -> str:
    try:
        return "customer:" + current_customer()
    except PanlessError:
        return "address:" + client_address()


@dataclass(frozen=True)
class RateLimits:
    """The app's rate-limit storage and the moving-window strategy counting in it."""

    storage: Storage
    limiter: MovingWindowRateLimiter


def limiter() -> RateLimits:
    return current_app.extensions["panless_limiter"]


def _failure_window():
    return parse(f"{int(current_app.config['CHALLENGE_AFTER'])}/hour")


def _failure_keys(customer_id: str) -> tuple[str, str]:
    # Per customer and per address: a tester can mint customers (a fresh cookie is a new one), not addresses.
    return "customer:" + customer_id, "address:" + client_address()


def record_failure(customer_id: str, code: str) -> None:
    if code in TESTING_SIGNALS:
        for key in _failure_keys(customer_id):
            _counted(lambda k=key: limiter().limiter.hit(_failure_window(), "finish-failures", k), True)


def _counted(call, fallback: bool) -> bool:
    """A count in the rate-limit storage; `fallback` when the storage is down (logged, never a 500)."""
    try:
        return call()
    except Exception as exc:  # the storage's own errors (redis.ConnectionError, ...) are not ours to know
        log.error("rate-limit storage unreachable (%s): counting skipped", type(exc).__name__)
        return fallback


def require_challenge(customer_id: str, answer: str) -> None:
    """After too many failed finishes (by this customer or from this address), `answer` (the
    X-Panless-Challenge header) must satisfy the merchant's verify hook."""
    verify: Callable[[str, str], bool] | None = current_app.extensions.get("panless_challenge")
    window = _failure_window()
    if verify is None or all(_counted(lambda k=k: limiter().limiter.test(window, "finish-failures", k), True)
                             for k in _failure_keys(customer_id)):
        return
    if not answer or not verify(answer, customer_id):
        raise PanlessError("challenge_required")


def set_challenge(app: Flask, verify: Callable[[str, str], bool] | None) -> None:
    app.extensions["panless_challenge"] = verify


class ThreadSafeMemoryStorage(MemoryStorage):
    """limits' MemoryStorage, thread-safe, with moving windows of its own. Same meaning (at most N hits in
    any window of the limit's length), cheaper: limits keeps each window as a list that a timer thread,
    restarted every 10 ms, copies whole, and that every request scans; here a window is the times of its
    hits, oldest first, trimmed as it is read. One lock around everything: limits' expiry timer is restarted
    by whichever thread sees it stopped, and two threads at once made it "start twice" (a 500 under
    threaded workers); its per-key locks are dropped while in use."""

    STORAGE_SCHEME = ["panless-memory"]
    SWEEP_EVERY = 60.0  # seconds between sweeps forgetting the windows that have emptied

    def __init__(self, *args, **kwargs):
        self._lock = threading.RLock()
        self._windows: dict[str, tuple[float, deque[float]]] = {}  # key -> (window length, hit times)
        self._swept = time.monotonic()
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:
        with self._lock:
            super()._MemoryStorage__schedule_expiry()

    def _MemoryStorage__expire_events(self) -> None:
        with self._lock:
            super()._MemoryStorage__expire_events()

    def _window(self, key: str, expiry: float, now: float) -> deque[float]:
        hits = self._windows.setdefault(key, (expiry, deque()))[1]
        while hits and hits[0] <= now - expiry:
            hits.popleft()
        if time.monotonic() - self._swept > self.SWEEP_EVERY:
            self._swept = time.monotonic()
            for other, (length, times) in list(self._windows.items()):
                if not times or times[-1] <= now - length:
                    del self._windows[other]
            hits = self._windows.setdefault(key, (expiry, hits))[1]
        return hits

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        with self._lock:
            now = time.time()
            hits = self._window(key, expiry, now)
            if amount > limit or len(hits) + amount > limit:
                return False
            hits.extend([now] * amount)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(the oldest hit still in the window, or now; how many hits it holds)"""
        with self._lock:
            now = time.time()
            hits = self._window(key, expiry, now)
            return (hits[0], len(hits)) if hits else (now, 0)

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)
            super().clear(key)

    def reset(self) -> int | None:
        with self._lock:
            self._windows.clear()
            return super().reset()


def _serialized(name: str):
    def method(self, *args, **kwargs):
        with self._lock:
            return getattr(MemoryStorage, name)(self, *args, **kwargs)
    method.__name__ = name
    return method


for _name in ("incr", "decr", "get", "get_expiry", "acquire_sliding_window_entry", "get_sliding_window",
              "clear_sliding_window"):
    if hasattr(MemoryStorage, _name):
        setattr(ThreadSafeMemoryStorage, _name, _serialized(_name))


def storage_uri(setting: str) -> tuple[str, dict]:
    """The storage URI and options for PANLESS_RATELIMIT_STORAGE; ConfigError when it cannot work."""
    scheme = setting.split("://", 1)[0].lower()
    if scheme == "memory":
        return "panless-memory://", {}
    if scheme.startswith("redis") or scheme.startswith("rediss"):
        try:
            import redis  # noqa: F401
        except ModuleNotFoundError:
            raise ConfigError(f"PANLESS_RATELIMIT_STORAGE is {scheme}://...: its client is missing; "
                              "pip install 'panless[redis]'") from None
        # Short timeouts: a slow Redis must not hold a worker longer than a PSP call would.
        return setting, {"socket_connect_timeout": 2, "socket_timeout": 2}
    return setting, {}


def where(setting: str) -> str:
    """The storage's scheme, host and port, without credentials (for messages)."""
    try:
        parts = urlsplit(setting)
        return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return setting.split("://", 1)[0] + "://..."


def check_storage(app: Flask) -> None:
    """Refuse to start on a rate-limit storage that does not answer (a clear error, not a boot loop)."""
    storage = app.extensions["panless_limiter"].storage
    try:
        reachable = storage.check()
    except Exception:  # the client's own connection errors
        reachable = False
    if not reachable:
        raise ConfigError(f"PANLESS_RATELIMIT_STORAGE: {where(app.config['RATELIMIT_STORAGE'])} does not answer; "
                          "start it or fix the setting")


def count(items: list[RateLimitItem], per_customer: bool = True, name: str | None = None) -> None:
    """One hit of this request on each of `items`, per client address and (when `per_customer`) per customer;
    rate_limited when any is over. `name`: the count's own (else the request's endpoint)."""
    keys = [("address", client_address())] + ([("customer", customer_or_address())] if per_customer else [])
    strategy = limiter().limiter
    for scope, key in keys:
        for item in items:
            if not _counted(lambda i=item, s=scope, k=key: strategy.hit(i, name or request.endpoint, s, k), True):
                raise PanlessError("rate_limited")


def limited(view, items: list[RateLimitItem], *, per_customer: bool = True):
    """`view` behind `items`, each counted per client address and (when `per_customer`) per customer."""
    @functools.wraps(view)
    def checked(*args, **kwargs):
        count(items, per_customer)
        return view(*args, **kwargs)
    return checked


def count_new_session() -> None:
    """PANLESS_RATELIMIT_SESSIONS counts sessions made, not requests: sessions.py calls this only when the
    request makes a new one. A retried start names the session its first try made
    (one Idempotency-Key), so it counts no more. One count for the API and the frame's page (which starts the
    session of a mount given a start code), whichever makes the session."""
    count(current_app.extensions["panless_session_limits"], name="api.create_session")


def init_app(app: Flask) -> None:
    """Limits on new sessions and on finishing, per address and per customer (each both)."""
    uri, options = storage_uri(str(app.config["RATELIMIT_STORAGE"]))
    storage = storage_from_string(uri, **options)
    app.extensions["panless_limiter"] = RateLimits(storage, MovingWindowRateLimiter(storage))
    check_storage(app)
    app.extensions.setdefault("panless_challenge", None)
    app.extensions["panless_session_limits"] = parse_many(app.config["RATELIMIT_SESSIONS"])
    app.view_functions["api.finalize_session"] = limited(app.view_functions["api.finalize_session"],
                                                         parse_many(app.config["RATELIMIT_FINALIZE"]))
    # Reports are anonymous: bound what one address can send.
    app.view_functions["csp_reports.csp_report"] = limited(app.view_functions["csp_reports.csp_report"],
                                                           parse_many("120/minute"), per_customer=False)
