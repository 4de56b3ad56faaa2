"""Response headers per kind of view: the card pages' CSP (nonce, connect-src of the PSPs), the API's
locked-down policy, framing for the frame view, compression of the frame. Static files never reach these
(static_files.py answers them with their own few headers). Views mark what they are (`g.page`,
`g.frame_parent`); `set_headers` gives each kind its policy."""

from __future__ import annotations

import gzip
import secrets

import brotli
from flask import g, request

from . import providers, static_files

PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), browsing-topics=()")
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
COMPRESSED_VIEWS = {"pages.frame"}


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)  # 128 bits, CSP's minimum: it is in the header twice and the HTML
    return g.csp_nonce


def page_csp(nonce: str, frame_parent: str | None = None) -> str:
    directives = {
        "default-src": "'none'",
        # The nonce admits the import map and the entry module; 'strict-dynamic' lets that module's own
        # imports load, each pinned by the import map's integrity hashes.
        "script-src": f"'nonce-{nonce}' 'strict-dynamic'",
        # The frame's one stylesheet is inline (a request fewer), admitted by the nonce; the hosted page links its own.
        "style-src": f"'nonce-{nonce}'" if frame_parent else "'self'",
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
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.endpoint in COMPRESSED_VIEWS:
        compress(response)
    return response


def compress(response) -> None:
    """The page compressed as the browser offers (brotli, else gzip). Only for views that echo nothing a
    visitor chose (BREACH needs the attacker's text beside a secret in one compressed answer): the frame's
    one echoed value, its parent, must be an exact allowed origin."""
    if response.status_code != 200 or response.direct_passthrough or "Content-Encoding" in response.headers:
        return
    coding = next(iter(static_files.preferred(request.headers.get("Accept-Encoding", ""))), None)
    response.vary.add("Accept-Encoding")
    if coding:
        body = response.get_data()
        response.set_data(brotli.compress(body, quality=5) if coding == "br" else gzip.compress(body, 6, mtime=0))
        response.headers["Content-Encoding"] = coding
