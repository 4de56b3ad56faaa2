"""The merchant JSON API (docs/openapi.yaml): create and finish tokenization sessions, list and remove cards.

The HTTP side of the flow: it reads the request (body, headers, the anti-card-testing checks on the
client) and hands sessions.py plain values."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

from ..core.pan import redact_pans
from . import cors, limits, providers, sessions
from .auth import current_customer
from .errors import PanlessError

bp = Blueprint("api", __name__, url_prefix="/api")
bp.after_request(cors.session_cors)

CURRENCY = re.compile(r"[A-Z]{3}")
BRANDS = {"visa", "mastercard", "amex", "maestro", "bcmc", "cb", "discover", "jcb", "diners", "unionpay", "rupay",
          "elo", "mir", "troy"}
CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
CARD_TOKEN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")  # a PSP's card token (Mangopay ids, UUIDs, ca_...)
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
            shown = redact_pans(name)[:40]  # redacted before it is cut: a cut number would not read as one
            raise PanlessError("invalid_request", f"The session option {shown} is unknown or invalid.",
                               field=f"options.{shown}")
    return options


def public_session(session: dict) -> dict:
    shown = {k: session.get(k)
             for k in ("id", "status", "provider", "currency", "accepted_brands", "target", "created_at")}
    shown["kind"] = session.get("kind", "card")
    if shown["kind"] == "cvc":  # what the shopper sees of the card the CVC is for
        card = sessions.card(session["customer"], session["saved_card"])
        shown["saved_card"] = {k: card[k] for k in ("token", "brand", "last4", "exp_month", "exp_year")}
        if session.get("charge"):
            shown["charge"] = session["charge"]
    return shown


@bp.post("/sessions")
def create_session():
    session = start_session(current_customer(), json_object(), request.headers.get("Idempotency-Key"),
                            request.headers.get("X-Panless-Challenge", ""))
    return created(session)


def start_session(customer: str, body: dict, client_key: str | None, challenge: str) -> dict:
    """A session from what POST /sessions takes (its JSON body, Idempotency-Key and challenge headers): this
    API's, and the frame's page's when a mount gives a start code (pages.py start_in_page). -> the session."""
    currency = optional_string(body, "currency", CURRENCY) or current_app.config["CURRENCY"]
    brand = optional_string(body, "brand", allowed=BRANDS)
    provider = optional_string(body, "provider")
    saved_card = optional_string(body, "saved_card", CARD_TOKEN)
    if client_key is not None and not CLIENT_KEY.fullmatch(client_key):
        raise PanlessError("invalid_request", "Idempotency-Key must be 8-64 letters, digits, - or _.",
                           field="Idempotency-Key")
    options = session_options(body)
    if saved_card is not None:
        return start_cvc_session(customer, saved_card, currency, provider, brand, client_key, options, challenge)
    provider = providers.get(provider).name  # an unknown provider is refused before any challenge
    limits.require_challenge(customer, challenge)
    return sessions.start(customer, currency, brand, provider, client_key, options, limits.count_new_session)


def created(session: dict):
    if cors.checkout_origin():  # a checkout page's call (older embeds): the card's target is the frame's alone
        return jsonify({**public_session(session), "target": None}), 201
    return jsonify(public_session(session)), 201


def start_cvc_session(customer, saved_card, currency, provider, brand, client_key, options, challenge):
    """CVC re-collection for a saved card: the card's PSP serves it (a `provider` may only name that one)."""
    if brand is not None:
        raise PanlessError("invalid_request", "A saved card's brand is known: leave brand out.", field="brand")
    # Someone else's card, a removed one or a PSP that cannot do it: refused before any challenge.
    psp, _record = sessions.cvc_provider(customer, saved_card)
    if provider is not None and provider != psp.name:
        raise PanlessError("invalid_request", "This saved card belongs to another provider.", field="provider",
                           status=422)
    limits.require_challenge(customer, challenge)
    return sessions.start_cvc(customer, saved_card, currency, client_key, options, limits.count_new_session)


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
