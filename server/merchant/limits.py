"""Anti-card-testing: rate limits per IP and per customer (flask-limiter), a cap on failed attempts per
session, and a hook to require a challenge after repeated failures.

Card testers try many cards fast, from many addresses, with rotating headers. The limits key on the
client address (X-Forwarded-For counts only behind PANLESS_PROXY_COUNT trusted proxies, so rotating it
changes nothing) and on the customer token. Storage is in memory by default, Redis by URL
(PANLESS_RATELIMIT_STORAGE=redis://host:6379) when several workers must share counts.

Challenge hook: `set_challenge(app, verify)` with `verify(answer: str, customer_id: str) -> bool`. Once a
customer, or a client address, has PANLESS_CHALLENGE_AFTER failed finishes within an hour, POST /api/sessions
needs an
`X-Panless-Challenge` header that `verify` accepts (a CAPTCHA answer, say), else 403 challenge_required.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import parse

from .auth import current_customer
from .errors import PanlessError

# Finish failures that look like card testing (not transport trouble).
TESTING_SIGNALS = {"card_refused", "invalid_number", "invalid_expiry", "invalid_cvc", "invalid_result"}


def client_address() -> str:
    return request.remote_addr or "unknown"


def customer_or_address() -> str:
    try:
        return "customer:" + current_customer()
    except PanlessError:
        return "address:" + client_address()


def limiter() -> Limiter:
    return current_app.extensions["panless_limiter"]


def _failure_window():
    return parse(f"{int(current_app.config['CHALLENGE_AFTER'])}/hour")


def _failure_keys(customer_id: str) -> tuple[str, str]:
    # Per customer and per address: a tester can mint customers (a fresh cookie is a new one), not addresses.
    return "customer:" + customer_id, "address:" + client_address()


def record_failure(customer_id: str, code: str) -> None:
    if code in TESTING_SIGNALS:
        for key in _failure_keys(customer_id):
            limiter().limiter.hit(_failure_window(), "finish-failures", key)


def require_challenge(customer_id: str, answer: str) -> None:
    """After too many failed finishes (by this customer or from this address), `answer` (the
    X-Panless-Challenge header) must satisfy the merchant's verify hook."""
    verify: Callable[[str, str], bool] | None = current_app.extensions.get("panless_challenge")
    window = _failure_window()
    if verify is None or all(limiter().limiter.test(window, "finish-failures", k) for k in _failure_keys(customer_id)):
        return
    if not answer or not verify(answer, customer_id):
        raise PanlessError("challenge_required")


def set_challenge(app: Flask, verify: Callable[[str, str], bool] | None) -> None:
    app.extensions["panless_challenge"] = verify


def init_app(app: Flask) -> None:
    """Limits on session creation and finishing, per address and per customer (each route both)."""
    instance = Limiter(key_func=client_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE"],
                       headers_enabled=True, strategy="moving-window")
    app.extensions["panless_limiter"] = instance
    app.extensions.setdefault("panless_challenge", None)
    for endpoint, setting in (("api.create_session", "RATELIMIT_SESSIONS"),
                              ("api.finalize_session", "RATELIMIT_FINALIZE")):
        view = app.view_functions[endpoint]
        view = instance.limit(app.config[setting], key_func=client_address)(view)
        view = instance.limit(app.config[setting], key_func=customer_or_address)(view)
        app.view_functions[endpoint] = view
    # Reports are anonymous: bound what one address can send.
    app.view_functions["csp_reports.csp_report"] = instance.limit("120/minute", key_func=client_address)(
        app.view_functions["csp_reports.csp_report"])
