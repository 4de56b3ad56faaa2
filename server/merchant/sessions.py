"""Tokenization sessions and saved cards: the merchant's side of the flow, independent of the PSP.

State lives in the document store, so a failure halfway leaves what a retry needs: a session is stored
("starting") before the PSP is called, and its id is the PSP idempotency key, so retrying the start
creates nothing twice; finishing an already finished session answers with the saved card.

The PSP's failures reach the API here, and only here (`api_error`); anything else an adapter raises is a
bug and stays one (a 500). This module reads no HTTP request: the API layer hands it plain values.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict

from flask import current_app

from ..core.store import Store
from . import providers
from .auth import random_id
from .errors import PanlessError
from .providers.base import FinishRequest, PspFailure, StartRequest

log = logging.getLogger("panless.sessions")
MAX_FINISH_ATTEMPTS = 5
# What each kind of PSP failure is to the API (refusals and unsupported requests carry their own code).
FAILURE_CODES = {
    PspFailure.UNAVAILABLE: "psp_unavailable",
    PspFailure.AUTH: "psp_auth_failed",
    PspFailure.UNEXPECTED: "psp_error",
    PspFailure.GONE: "session_expired",  # what the session stood on is gone at the PSP: start another
}


def api_error(failure: PspFailure) -> PanlessError:
    """The API's error for a PSP failure."""
    if failure.kind == PspFailure.REFUSED:
        return PanlessError(failure.detail)
    if failure.kind == PspFailure.UNSUPPORTED:
        return PanlessError(f"unsupported_{failure.detail}")
    if failure.kind == PspFailure.UNEXPECTED:  # the shopper sees psp_error; the operator needs to know why
        log.warning("unexpected answer from the PSP: %s", failure.detail)
    return PanlessError(FAILURE_CODES[failure.kind])


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
    params = {"provider": provider.name, "currency": currency, "brand": brand, "options": options}
    session = _session_for_key(customer_id, client_key, params) or _new_session(customer_id, params, client_key)
    if session["status"] != "starting":
        return session
    customer = _customer(customer_id)
    try:
        begun = provider.start(StartRequest(
            customer_id=customer_id, currency=currency, brand=brand,
            provider_customer=customer["providers"].get(provider.name, {}), idempotency_key=session["id"],
            options=options,
        ))
    except PspFailure as failure:
        raise api_error(failure) from None
    customer["providers"][provider.name] = begun.provider_customer
    store().put("customer", customer_id, customer)
    session.update(status="open", provider_ref=begun.ref, target=begun.target.to_json(),
                   accepted_brands=begun.accepted_brands)
    return store().put("session", session["id"], session, owner=customer_id)


def _customer(customer_id: str) -> dict:
    """The customer's record: what each provider kept for it."""
    return store().get("customer", customer_id) or {"id": customer_id, "providers": {}}


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
    provider = providers.get(session["provider"])
    try:
        saved = provider.finish(FinishRequest(
            ref=session["provider_ref"], customer_id=customer_id,
            provider_customer=_customer(customer_id)["providers"].get(provider.name, {}),
            browser_result=browser_result,
        ))
    except PspFailure as failure:
        error = api_error(failure)
        if error.retry == "new_session":
            session["status"] = "failed"
            session["error"] = error.code
            store().put("session", session_id, session, owner=customer_id)
        raise error from None
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
        try:
            providers.get(record["provider"]).deactivate(token)
        except PspFailure as failure:
            if failure.kind != PspFailure.GONE:  # gone: the PSP no longer has the card, as we asked
                raise api_error(failure) from None
        record["active"] = False
        store().put("card", _card_key(record["provider"], token), record, owner=customer_id)
    return record
