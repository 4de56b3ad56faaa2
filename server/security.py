"""The merchant app's own defences: headers per view, the PAN tripwire, cross-site request checks,
proxy trust, and CSP violation reports.

The invariant is that no PAN or CVC reaches this app; these defences hold when a caller gets it wrong.
Views mark what they are (`g.page`, `g.frame_parent`); `set_headers` gives each kind its policy.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import Counter
from urllib.parse import unquote_plus, urlsplit

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, providers
from .config import origin_of
from .errors import PanlessError
from .pan import find_pans
from .redaction import install_log_redaction

log = logging.getLogger("panless.security")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), browsing-topics=()")
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def counters() -> Counter:
    return current_app.extensions["panless_counters"]


# -- requests -----------------------------------------------------------------------------------------

def pan_tripwire() -> None:
    """Refuse a request carrying a PAN-shaped value anywhere: query, body, headers or cookies.
    Violation reports are exempt: a skimmer's URL may carry one, and only its origin is kept."""
    if request.path == "/csp-report":
        return
    if any(find_pans(text) for text in request_texts()):
        counters()["pan_detected"] += 1
        log.warning("pan_detected: refused %s %s (value not logged)", request.method, request.path)
        raise PanlessError("pan_detected")


def request_texts():
    """Everything a request carries, raw and decoded (URL encoding, JSON string escapes)."""
    query = request.query_string.decode("latin-1")
    body = request.get_data(cache=True).decode("utf-8", "replace")
    yield from (request.path, query, unquote_plus(query), body, unquote_plus(body))
    try:
        yield from json_strings(json.loads(body)) if body.lstrip()[:1] in ("{", "[", '"') else ()
    except ValueError:
        pass
    yield from (f"{k}: {v}" for k, v in request.headers.items())
    yield from (f"{k}={v}" for k, v in request.cookies.items())


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def same_site_only() -> None:
    """Browser calls that change state must come from this origin or an allowed checkout origin.
    The API also needs a bearer token no other site holds; this check refuses forged calls early."""
    origin = request.headers.get("Origin")
    if request.method not in UNSAFE_METHODS or origin is None or not request.path.startswith("/api/"):
        return
    if origin != origin_of(request.host_url) and origin not in current_app.config["ALLOWED_ORIGINS"]:
        counters()["cross_site_refused"] += 1
        raise PanlessError("cross_site_request")


class DropForwardedHeaders:
    """With no trusted proxy in front, X-Forwarded-* come from the client and mean nothing."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_") or k == "HTTP_FORWARDED"]:
            del environ[key]
        return self.wsgi_app(environ, start_response)


# -- responses ---------------------------------------------------------------------------------------------

def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(24)
    return g.csp_nonce


def page_csp(nonce: str, frame_parent: str | None = None) -> str:
    directives = {
        "default-src": "'none'",
        # The nonce admits the import map and the entry module; 'strict-dynamic' lets that module's own
        # imports load, each pinned by the import map's integrity hashes.
        "script-src": f"'nonce-{nonce}' 'strict-dynamic'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": " ".join(["'self'", *providers.tokenization_origins()]),
        "form-action": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
        "frame-ancestors": frame_parent or "'none'",
        "require-trusted-types-for": "'script'",
        "trusted-types": "'none'",
        # report-uri alone: Chromium ignores it when report-to is present and then batches reports for
        # up to a minute; report-uri delivers each violation at once. The endpoint reads both formats.
        "report-uri": "/csp-report",
    }
    if request.is_secure:
        directives["upgrade-insecure-requests"] = ""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def set_headers(response):
    """Per-view headers; runs after flask-talisman's, so the frame view can drop X-Frame-Options."""
    parent = g.get("frame_parent")
    if g.get("page"):
        response.headers["Content-Security-Policy"] = page_csp(csp_nonce(), parent)
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    elif "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = API_CSP
    if parent:
        del response.headers["X-Frame-Options"]  # frame-ancestors decides; XFO cannot name an origin
    if request.path.startswith("/static/"):
        # Public assets: checkout pages on other origins import the embed module, which needs CORS.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    else:
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    return response


# -- CSP violation reports -----------------------------------------------------------------------------------

reports = Blueprint("csp_reports", __name__)


def _report_key(report: dict) -> tuple[str, str, str]:
    """What is kept of a report: directive, blocked origin (or keyword), document path. No query
    strings, no script samples, no addresses: nothing that could identify or describe a shopper."""
    directive = str(report.get("effective-directive") or report.get("effectiveDirective")
                    or report.get("violated-directive") or "unknown").split(" ")[0][:40]
    blocked = str(report.get("blocked-uri") or report.get("blockedURL") or "")
    blocked = (origin_of(blocked) or blocked.split(":")[0] or "none")[:100]
    try:
        document = urlsplit(str(report.get("document-uri") or report.get("documentURL") or "")).path[:80]
    except ValueError:
        document = ""
    return directive, blocked, document or "unknown"


MAX_REPORT_KEYS = 1000  # distinct (directive, blocked, page) kept per process; the rest only counted


@reports.post("/csp-report")
def csp_report():
    body = request.get_json(force=True, silent=True)
    items = body if isinstance(body, list) else [body]
    for item in items[:20]:
        if isinstance(item, dict):
            report = item.get("csp-report") or item.get("body") or {}
            if isinstance(report, dict):
                stored, key = current_app.extensions["panless_csp_reports"], _report_key(report)
                if key in stored or len(stored) < MAX_REPORT_KEYS:
                    stored[key] += 1
                counters()["csp_reports"] += 1
    return "", 204


@reports.get("/csp-report")
def csp_report_summary():
    stored = current_app.extensions["panless_csp_reports"]
    return jsonify(total=sum(stored.values()), reports=[
        {"directive": d, "blocked": b, "document": p, "count": n} for (d, b, p), n in stored.most_common(100)])


# -- wiring ------------------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    install_log_redaction()
    app.extensions["panless_counters"] = Counter()
    app.extensions["panless_csp_reports"] = Counter()
    app.after_request(set_headers)  # registered first, so it runs last (Flask runs them in reverse)
    secure = bool(app.config.get("FORCE_HTTPS", False))
    Talisman(app, force_https=secure, session_cookie_secure=secure, content_security_policy=None,
             frame_options="DENY", referrer_policy="no-referrer", strict_transport_security=secure,
             permissions_policy={})
    app.before_request(pan_tripwire)
    app.before_request(same_site_only)
    app.register_blueprint(reports)
    app.jinja_env.globals.update(csp_nonce=csp_nonce)
    proxies = int(app.config.get("PROXY_COUNT", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    else:
        app.wsgi_app = DropForwardedHeaders(app.wsgi_app)
    register_asset_helpers(app)


def register_asset_helpers(app: Flask) -> None:
    static = app.static_folder

    def sri(name: str) -> str:
        return assets.hashes(static)[name]

    app.jinja_env.globals.update(sri=sri, import_map=lambda entry: assets.import_map(static, entry),
                                 preloads=lambda entry: assets.preloads(static, entry))
