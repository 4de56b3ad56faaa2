"""CORS for POST /api/sessions, and only for the checkout origins of PANLESS_ALLOWED_ORIGINS: earlier embeds
started the card frame's session from the checkout page while the frame loaded, and a page still running one keeps
working (docs/browser.md, "Starting early"). No cookies ride along
(no Access-Control-Allow-Credentials): the call is authorised by its bearer customer token alone."""

from __future__ import annotations

from flask import current_app, request

# Chromium keeps a preflight for at most 2 hours; the policy changes only with the settings, on a restart.
MAX_AGE = 7200
HEADERS = "Authorization, Content-Type, Idempotency-Key"


def checkout_origin() -> str | None:
    """The request's Origin when it is an allowed checkout origin (never the Panless origin itself)."""
    origin = request.headers.get("Origin")
    return origin if origin in current_app.config["ALLOWED_ORIGINS"] else None


def session_cors(response):
    """After each request of the API blueprint: CORS headers on /api/sessions for an allowed checkout origin."""
    if request.path != "/api/sessions":
        return response
    if "Vary" in response.headers:
        response.vary.add("Origin")
    else:  # the usual case, set directly: parsing and rewriting an absent Vary cost more than the rest of this hook
        response.headers["Vary"] = "Origin"
    origin = checkout_origin()
    if origin is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = HEADERS
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE)
    return response
