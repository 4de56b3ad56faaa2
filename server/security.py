"""Security headers, the PAN tripwire and log redaction for the merchant app.

The invariant is that no PAN or CVC reaches this app. These are its own defences in case a caller gets
it wrong: a request that carries a PAN-shaped value is refused and never logged, and every log record of
the process passes through a redactor.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, current_app, g, request
from flask_talisman import Talisman

from . import providers
from .errors import PanlessError
from .pan import PAN_SHAPED, find_pans

log = logging.getLogger("panless.security")
CVC_FIELD = re.compile(r"((?:cvc|cvv|cvx|card_security_code)\W{0,3})[0-9]{3,4}", re.I)


def redact(text: str) -> str:
    return CVC_FIELD.sub(r"\1[CVC]", PAN_SHAPED.sub(lambda m: "[PAN]" if find_pans(m.group(0)) else m.group(0), text))


_installed = False


def install_log_redaction() -> None:
    """Every log record created in this process is redacted before any handler sees it."""
    global _installed
    if _installed:
        return
    factory = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs):
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep only the template
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True


def pan_tripwire() -> None:
    """Refuse a request carrying a PAN-shaped value anywhere: query, body, headers or cookies."""
    places = [request.query_string.decode("latin-1"), request.get_data(cache=True).decode("latin-1")]
    places += [f"{k}: {v}" for k, v in request.headers.items()]
    places += [f"{k}={v}" for k, v in request.cookies.items()]
    if any(find_pans(text) for text in places):
        current_app.extensions["panless_counters"]["pan_detected"] += 1
        log.warning("pan_detected: refused %s %s (value not logged)", request.method, request.path)
        raise PanlessError("pan_detected")


def page_csp(frame_parent: str | None = None) -> str:
    connect = " ".join(["'self'", *providers.tokenization_origins()])
    ancestors = frame_parent or "'none'"
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        f"connect-src {connect}", "form-action 'self'", "base-uri 'none'", "object-src 'none'",
        f"frame-ancestors {ancestors}",
    ])


API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def set_headers(response):
    """Per-view headers; runs after flask-talisman's, so the frame view can drop X-Frame-Options."""
    parent = g.get("frame_parent")
    if "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = page_csp(parent) if g.get("page") else API_CSP
    if parent:
        del response.headers["X-Frame-Options"]  # frame-ancestors decides; XFO cannot name an origin
    if request.path.startswith("/static/"):
        # Public assets: checkout pages on other origins import the embed module, which needs CORS.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    install_log_redaction()
    app.extensions["panless_counters"] = {"pan_detected": 0}
    app.after_request(set_headers)  # registered first, so it runs last (Flask runs them in reverse)
    secure = bool(app.config.get("FORCE_HTTPS", False))
    Talisman(app, force_https=secure, session_cookie_secure=secure, content_security_policy=None,
             frame_options="DENY", referrer_policy="no-referrer", strict_transport_security=secure)
    app.before_request(pan_tripwire)
