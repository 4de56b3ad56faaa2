"""The relay's one endpoint, POST /<psp>/<operation>/<session>: check the ticket, keep only the card fields
the PSP takes, spend the ticket, forward with the PSP's secret, answer with a signed receipt or an error.

Nothing is stored but the spent ticket's id; one redacted line is logged per request; CORS is answered
only for the configured form origins.
"""

from __future__ import annotations

import logging
import time

import requests
from flask import Blueprint, current_app, g, jsonify, request

from ..core import jsonsafe
from ..core.pan import redact_pans
from ..core.tickets import TICKET_TTL, SignatureError, mint_receipt, verify
from .routes import ROUTES, Route, UpstreamAuthFailed, card_metadata

bp = Blueprint("relay", __name__)
log = logging.getLogger("panless.relay")

TICKET_HEADER = "X-Relay-Ticket"
MAX_FIELD = 64
# Every code the relay answers with; the adapters map each to what the form shows.
CODES = {
    "ticket_missing": 401, "ticket_invalid": 401, "ticket_expired": 401, "ticket_mismatch": 403,
    "ticket_used": 409, "origin_not_allowed": 403, "unknown_route": 404, "invalid_request": 400,
    "invalid_json": 400, "unknown_field": 400, "invalid_field": 400, "payload_too_large": 413,
    "method_not_allowed": 405, "upstream_unavailable": 502, "upstream_timeout": 504,
    "upstream_auth_failed": 502, "upstream_error": 502,
}


# What each code means to the developer reading the answer (the form shows its own words, by code).
MESSAGES = {
    "ticket_missing": "No X-Relay-Ticket header: the merchant app's session gives the form its ticket.",
    "ticket_invalid": "The relay ticket is not one this relay's key signed.",
    "ticket_expired": "The relay ticket has expired (5 minutes): start a new session.",
    "ticket_mismatch": "The relay ticket is for another PSP, session or operation than this request.",
    "ticket_used": "The relay ticket was already used: start a new session.",
    "origin_not_allowed": "This origin may not call the relay: add it to PANLESS_RELAY__FORM_ORIGINS.",
    "unknown_route": "No such relay route.",
    "invalid_request": "The request is not one the relay takes.",
    "invalid_json": "The body must be a JSON object of card fields.",
    "unknown_field": "A field the PSP does not take: send only the card fields the session's target names.",
    "invalid_field": "A card field must be a string of at most 64 characters.",
    "payload_too_large": "The body is larger than the relay takes (PANLESS_RELAY__MAX_BODY, 2 KB by default).",
    "method_not_allowed": "This route takes another HTTP method.",
    "upstream_unavailable": "The PSP could not be reached. Try again with a new session.",
    "upstream_timeout": "The PSP did not answer in time. Try again with a new session.",
    "upstream_auth_failed": "The PSP refused the relay's credentials: check its configuration.",
    "upstream_error": "The PSP answered in a way the relay does not understand.",
    "internal_error": "The relay hit an unexpected error.",
}


class RelayError(Exception):
    def __init__(self, code: str, field: str | None = None, status: int | None = None, source: str = "relay"):
        code = redact_pans(code)  # a PSP's code is passed on as it came: never a card number in it
        super().__init__(code)
        self.code, self.source = code, source
        self.field = redact_pans(field) if isinstance(field, str) else field  # a field's name is the client's
        self.status = status or CODES[code]

    def body(self) -> dict:
        message = MESSAGES.get(self.code) if self.source == "relay" else f"The PSP refused the card ({self.code})."
        return {"error": {"code": self.code, "message": message, "field": self.field, "source": self.source}}


def state() -> dict:
    return current_app.extensions["panless_relay"]


# -- CORS and the log line, for every answer ------------------------------------------------------------

def allowed_origin() -> str | None:
    origin = request.headers.get("Origin")
    return origin if origin in current_app.config["RELAY"]["FORM_ORIGINS"] else None


@bp.before_app_request
def start_timer():
    g.started = time.monotonic()


@bp.after_app_request
def finish(response):
    origin = allowed_origin()
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    elapsed = (time.monotonic() - g.get("started", time.monotonic())) * 1000
    upstream = g.get("upstream_status")
    # The path holds the PSP, operation and session id; no body, header or query value is ever logged.
    log.info("%s %s -> %s%s in %.0f ms", request.method, request.path[:120], response.status_code,
             f" (psp {upstream})" if upstream else "", elapsed)
    return response


# -- the endpoint -------------------------------------------------------------------------------------------

@bp.route("/<psp>/<operation>/<session>", methods=["POST", "OPTIONS"])
def relay(psp, operation, session):
    route = ROUTES.get((psp, operation))
    if route is None or psp not in state()["authorizers"]:
        raise RelayError("unknown_route")
    if request.method == "OPTIONS":
        return preflight()
    if request.headers.get("Origin") is not None and allowed_origin() is None:
        raise RelayError("origin_not_allowed")
    if request.query_string:  # nothing in the request may name or shape the upstream call
        raise RelayError("invalid_request", field="query")
    claims = ticket_for(route, session)
    fields = card_fields(route)
    spend(claims)
    return forward(route, claims, fields)


def preflight():
    if allowed_origin() is None:
        raise RelayError("origin_not_allowed")
    return "", 204, {"Access-Control-Allow-Methods": "POST", "Access-Control-Max-Age": "600",
                     "Access-Control-Allow-Headers": f"Content-Type, {TICKET_HEADER}"}


def ticket_for(route: Route, session: str) -> dict:
    signed = request.headers.get(TICKET_HEADER)
    if not signed:
        raise RelayError("ticket_missing")
    key = str(current_app.config[route.psp.upper()]["RELAY_KEY"])
    try:
        claims = verify(key, signed, "ticket")
    except SignatureError as exc:
        raise RelayError(exc.code) from None
    if (claims.get("psp"), claims.get("op"), claims.get("ses")) != (route.psp, route.operation, session):
        raise RelayError("ticket_mismatch")
    params = claims.get("params")
    if not isinstance(params, dict) or set(params) - set(route.params) or not isinstance(claims.get("jti"), str):
        raise RelayError("ticket_invalid")
    if not all(isinstance(params.get(name), str) and params[name] for name in route.path_params):
        raise RelayError("ticket_invalid")
    return claims


def card_fields(route: Route) -> dict:
    try:
        body = jsonsafe.loads(request.get_data() or b"null")  # bounded nesting, UTF-8 only
    except ValueError:
        raise RelayError("invalid_json") from None
    if not isinstance(body, dict):
        raise RelayError("invalid_json")
    for name, value in body.items():
        if name not in route.card_fields:
            raise RelayError("unknown_field", field=redact_pans(name)[:40])  # redacted, then cut
        if not isinstance(value, str) or len(value) > MAX_FIELD:
            raise RelayError("invalid_field", field=name)
    return body


def spend(claims: dict) -> None:
    """Single use across every relay process sharing the store: the first to insert the id wins."""
    store = state()["store"]
    if not store.insert_new("relay_spent", claims["jti"], {"exp": claims["exp"]}):
        raise RelayError("ticket_used")
    store.expire("relay_spent", store.clock.now() - 2 * TICKET_TTL)  # spent ids outlive their tickets briefly


def forward(route: Route, claims: dict, fields: dict):
    config = current_app.config
    section = config[route.psp.upper()]
    path, params = route.upstream(claims["params"])
    url = str(section["BASE_URL"]).rstrip("/") + path
    authorizer = state()["authorizers"][route.psp]
    try:
        for refresh in (False, True):  # a 401 means the PSP did nothing: fetch a new token, try once more
            response = state()["http"].post(url, json={**fields, **params},
                                            headers={**authorizer.headers(refresh), "Accept": "application/json"},
                                            timeout=float(config["RELAY"]["TIMEOUT"]))
            if response.status_code != 401:
                break
    except UpstreamAuthFailed:
        raise RelayError("upstream_auth_failed") from None
    except requests.Timeout:
        raise RelayError("upstream_timeout") from None
    except requests.RequestException:
        raise RelayError("upstream_unavailable") from None
    g.upstream_status = response.status_code
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if 200 <= response.status_code < 300:
        token = answer.get(route.token_key) if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise RelayError("upstream_error")
        receipt = mint_receipt(str(section["RELAY_KEY"]), claims, token, card_metadata(route, fields))
        return jsonify(receipt=receipt)
    if response.status_code == 401:
        raise RelayError("upstream_auth_failed")
    if not 400 <= response.status_code < 500:
        raise RelayError("upstream_error")
    code = answer.get(route.error_key) if isinstance(answer, dict) else None
    if not isinstance(code, str) or not code:
        raise RelayError("upstream_error")
    raise RelayError(redact_pans(code)[:60], status=response.status_code, source="psp")
