"""Tokenization sessions and saved cards: the merchant's side of the flow, independent of the PSP.

State lives in the document store, so a failure halfway leaves what a retry needs: a session is stored
("starting") before the PSP is called, and its id is the PSP idempotency key, so retrying the start
creates nothing twice; finishing an already finished session answers with the saved card.
"""

from __future__ import annotations

import time
from dataclasses import asdict

from flask import current_app

from ..core.store import Store
from . import limits, providers
from .auth import random_id
from .errors import PanlessError
from .providers.base import StartRequest

MAX_FINISH_ATTEMPTS = 5


def guarded(call, *args):
    """A PSP answer of an unexpected shape is the PSP's error, never a 500."""
    try:
        return call(*args)
    except PanlessError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise PanlessError("psp_error") from None


def store() -> Store:
    return current_app.extensions["panless_store"]


def start(customer_id: str, currency: str, brand: str | None, provider_name: str | None,
          client_key: str | None, options: dict | None = None) -> dict:
    provider = providers.get(provider_name)
    options = options or {}
    unsupported = sorted(set(options) - set(provider.session_options))
    if unsupported:
        raise PanlessError("invalid_request", f"{provider.name} does not take the session option {unsupported[0]}.",
                           field=f"options.{unsupported[0]}", status=422)
    limits.require_challenge(customer_id)
    params = {"provider": provider.name, "currency": currency, "brand": brand, "options": options}
    session = _session_for_key(customer_id, client_key, params) or _new_session(customer_id, params, client_key)
    if session["status"] != "starting":
        return session
    customer = store().get("customer", customer_id) or {"id": customer_id, "providers": {}}
    begun = guarded(provider.start, StartRequest(
        customer_id=customer_id, currency=currency, brand=brand,
        provider_customer=customer["providers"].get(provider.name, {}), idempotency_key=session["id"],
        options=options,
    ))
    customer["providers"][provider.name] = begun.provider_customer
    store().put("customer", customer_id, customer)
    session.update(status="open", provider_ref=begun.ref, target=begun.target.to_json(),
                   accepted_brands=begun.accepted_brands)
    return store().put("session", session["id"], session, owner=customer_id)


def _new_session(customer_id: str, params: dict, client_key: str | None) -> dict:
    session = {"id": random_id("ses_"), "customer": customer_id, **params, "status": "starting",
               "provider_ref": None, "target": None, "accepted_brands": [], "card": None, "attempts": 0,
               "created_at": int(time.time())}
    # Stored before its key is claimed, so that whoever finds the key also finds the session.
    store().put("session", session["id"], session, owner=customer_id)
    if client_key and not store().insert_new("session_key", f"{customer_id}:{client_key}", {"session": session["id"]}):
        return _session_for_key(customer_id, client_key, params)  # a concurrent twin won: use its session
    return session


def _session_for_key(customer_id: str, client_key: str | None, params: dict) -> dict | None:
    ref = client_key and store().get("session_key", f"{customer_id}:{client_key}")
    if not ref:
        return None
    session = store().get("session", ref["session"])
    if any(session.get(name) != value for name, value in params.items()):
        raise PanlessError("invalid_request", "This Idempotency-Key was used for a session with other parameters.",
                           field="Idempotency-Key", status=422)
    return session


def get(customer_id: str, session_id: str) -> dict:
    session = store().get("session", session_id)
    if session is None or session["customer"] != customer_id:
        raise PanlessError("session_not_found")  # another customer's session looks like none at all
    return session


def finish(customer_id: str, session_id: str, browser_result) -> dict:
    session = get(customer_id, session_id)
    if session["status"] == "completed":
        return card(customer_id, session["card"])
    if session["attempts"] >= MAX_FINISH_ATTEMPTS:
        raise PanlessError("too_many_attempts")  # a cap per session, whatever the IP or token
    if session["status"] != "open":
        raise PanlessError("session_closed")
    session["attempts"] += 1
    store().put("session", session_id, session, owner=customer_id)
    try:
        saved = guarded(providers.get(session["provider"]).finish, session, browser_result)
    except PanlessError as exc:
        limits.record_failure(customer_id, exc.code)
        if exc.retry == "new_session":
            session["status"] = "failed"
            session["error"] = exc.code
            store().put("session", session_id, session, owner=customer_id)
        raise
    record = {**asdict(saved), "provider": session["provider"], "active": True, "created_at": int(time.time())}
    store().put("card", _card_key(session["provider"], saved.token), record, owner=customer_id)
    session.update(status="completed", card=saved.token)
    store().put("session", session_id, session, owner=customer_id)
    return record


def _card_key(provider: str, token: str) -> str:
    return f"{provider}:{token}"


def cards(customer_id: str) -> list[dict]:
    return store().find("card", owner=customer_id)


def card(customer_id: str, token: str) -> dict:
    for record in cards(customer_id):
        if record["token"] == token:
            return record
    raise PanlessError("card_not_found")


def deactivate(customer_id: str, token: str) -> dict:
    record = card(customer_id, token)
    if record["active"]:
        guarded(providers.get(record["provider"]).deactivate, token)
        record["active"] = False
        store().put("card", _card_key(record["provider"], token), record, owner=customer_id)
    return record
