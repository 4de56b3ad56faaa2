"""The merchant JSON API (docs/openapi.yaml): create and finish tokenization sessions, list and remove cards.

The HTTP side of the flow: it reads the request (body, headers, the anti-card-testing checks on the
client) and hands sessions.py plain values."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

from . import cors, limits, providers, sessions
from .auth import current_customer
from .errors import PanlessError

bp = Blueprint("api", __name__, url_prefix="/api")
bp.after_request(cors.session_cors)

CURRENCY = re.compile(r"[A-Z]{3}")
BRANDS = {"visa", "mastercard", "amex", "maestro", "bcmc", "cb", "discover", "jcb", "diners", "unionpay", "rupay",
          "elo", "mir", "troy"}
CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Session options a checkout may pass through to PSPs that take them (Provider.session_options).
SESSION_OPTIONS = {
    "installments": lambda v: v in (3, 6, 9, 12, 18) and not isinstance(v, bool),
    "fixed_installments": lambda v: isinstance(v, bool),
    "temporary": lambda v: isinstance(v, bool),
}


def json_object() -> dict:
    if not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise PanlessError("invalid_json")
    return body


def optional_string(body: dict, name: str, pattern=None, allowed=None) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or (pattern and not pattern.fullmatch(value)) or (allowed and value not in allowed):
        code = {"currency": "unsupported_currency", "brand": "unsupported_brand",
                "provider": "unknown_provider"}.get(name, "invalid_request")
        raise PanlessError(code, field=name)
    return value


def session_options(body: dict) -> dict:
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise PanlessError("invalid_request", "options must be an object.", field="options")
    for name, value in options.items():
        if name not in SESSION_OPTIONS or not SESSION_OPTIONS[name](value):
            raise PanlessError("invalid_request", f"The session option {name[:40]} is unknown or invalid.",
                               field=f"options.{name[:40]}")
    return options


def public_session(session: dict) -> dict:
    return {k: session.get(k)
            for k in ("id", "status", "provider", "currency", "accepted_brands", "target", "created_at")}


@bp.post("/sessions")
def create_session():
    customer = current_customer()
    body = json_object()
    currency = optional_string(body, "currency", CURRENCY) or current_app.config["CURRENCY"]
    brand = optional_string(body, "brand", allowed=BRANDS)
    provider = optional_string(body, "provider")
    client_key = request.headers.get("Idempotency-Key")
    if client_key is not None and not CLIENT_KEY.fullmatch(client_key):
        raise PanlessError("invalid_request", "Idempotency-Key must be 8-64 letters, digits, - or _.",
                           field="Idempotency-Key")
    provider = providers.get(provider).name  # an unknown provider is refused before any challenge
    limits.require_challenge(customer, request.headers.get("X-Panless-Challenge", ""))
    session = sessions.start(customer, currency, brand, provider, client_key, session_options(body))
    if cors.checkout_origin():  # the embed's early start: the card's target is for the frame's own call only
        return jsonify({**public_session(session), "target": None}), 201
    return jsonify(public_session(session)), 201


@bp.get("/sessions/<session_id>")
def view_session(session_id):
    session = sessions.get(current_customer(), session_id)
    return jsonify({**public_session(session), "card": session.get("card")})


@bp.post("/sessions/<session_id>/finalize")
def finalize_session(session_id):
    customer = current_customer()
    body = json_object()
    if "result" not in body:
        raise PanlessError("invalid_result", "Send the PSP's tokenization result as {\"result\": ...}.")
    try:
        card = sessions.finish(customer, session_id, body["result"])
    except PanlessError as exc:
        limits.record_failure(customer, exc.code)  # counts only what looks like card testing
        raise
    return jsonify({"card": card})


@bp.get("/cards")
def list_cards():
    return jsonify({"cards": sessions.cards(current_customer())})


@bp.delete("/cards/<token>")
def deactivate_card(token):
    return jsonify({"card": sessions.deactivate(current_customer(), token)})
