"""Tokenization sessions and saved cards: the merchant's side of the flow, independent of the PSP.

State lives in the document store, so a failure halfway leaves what a retry needs: a session is stored
("starting") before the PSP is called, and its id is the PSP idempotency key, so retrying the start
creates nothing twice; finishing an already finished session answers with the saved card.

Exactly once: starting and finishing each claim the session (a compare-and-set on its version) before
calling the PSP, so one call at a time reaches the PSP for a session, on any process or machine sharing the
database; the others wait for the first one's outcome (its card, its session) or, past the deadline, are
told to try again. A claim lapses after the deadline plus slack, so a process that died holding one blocks
nothing. Only refusals and bad input count toward the per-session cap: an outage or an answer lost on the
way is retried, and the retry finds what the PSP kept (a repeated finish returns the same card).

A CVC session (`start_cvc`, kind "cvc") is the same machinery for a saved card: the browser posts a fresh
CVC alone to the card's PSP, and finishing it records on the card what to charge it with (`charge`).

The PSP's failures reach the API here, and only here (`api_error`); anything else an adapter raises is a
bug and stays one (a 500). This module reads no HTTP request: the API layer hands it plain values.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import asdict

from flask import current_app

from ..core.store import Store
from . import providers, resilience
from .auth import random_id
from .errors import PanlessError
from .providers.base import FinishRequest, Provider, PspFailure, StartRequest

log = logging.getLogger("panless.sessions")
MAX_FINISH_ATTEMPTS = 5
CLAIM_SLACK = 5.0  # seconds a claim outlives the request deadline before it is taken as its process's death
POLL = 0.02        # seconds between looks at a session another call holds, at most (a read of one row)
FIRST_POLL = 0.004  # the first look, then 1.5 times longer each: a twin often waits for one PSP answer
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
          client_key: str | None, options: dict | None = None, admit=None) -> dict:
    """`admit()`, when given, is called before a new session is made (the API's rate limit), and raises to
    refuse it; a start that finds the session its key made earlier is not a new one."""
    provider = providers.get(provider_name)
    options = options or {}
    _check_options(provider, options, provider.session_options)
    params = {"kind": "card", "provider": provider.name, "currency": currency, "brand": brand, "options": options}
    return _begin(customer_id, client_key, params, provider, provider.start, admit)


def cvc_provider(customer_id: str, saved_card: str) -> tuple[Provider, dict]:
    """The provider of the customer's active saved card, if it can attach a fresh CVC to it."""
    record = next((c for c in cards(customer_id) if c["token"] == saved_card and c["active"]), None)
    if record is None:  # another customer's card looks like none at all, as does a removed one
        raise PanlessError("card_not_found", field="saved_card")
    provider = providers.get(record["provider"])
    if not provider.cvc_recollection:
        raise PanlessError("cvc_recollection_unsupported")  # the catalogue's words: the form shows them as they come
    return provider, record


def start_cvc(customer_id: str, saved_card: str, currency: str, client_key: str | None,
              options: dict | None = None, admit=None) -> dict:
    """A CVC re-collection session: the browser posts a fresh CVC for the saved card, nothing else
    (`admit` as for start)."""
    provider, record = cvc_provider(customer_id, saved_card)
    options = options or {}
    _check_options(provider, options, provider.cvc_session_options)
    params = {"kind": "cvc", "provider": provider.name, "currency": currency, "brand": record["brand"],
              "options": options, "saved_card": saved_card}
    return _begin(customer_id, client_key, params, provider, provider.start_cvc, admit)


def _check_options(provider, options: dict, allowed) -> None:
    unsupported = sorted(set(options) - set(allowed))
    if unsupported:
        raise PanlessError("invalid_request", f"{provider.name} does not take the session option {unsupported[0]}"
                           " for this kind of session.", field=f"options.{unsupported[0]}", status=422)


def _begin(customer_id: str, client_key: str | None, params: dict, provider, begin, admit=None) -> dict:
    """Store the session, claim it, and have the PSP start it (`begin`: provider.start or start_cvc)."""
    with store().transaction(write=False):  # one connection for both reads
        found = _session_for_key(customer_id, client_key, params)
        customer = _customer(customer_id)
    if not found and admit is not None:
        admit()  # a concurrent twin with the same key may be admitted too: counted twice, never missed
    session, mine = (found, False) if found else _new_session(customer_id, params, client_key)
    if not mine:  # a session made earlier, or by a concurrent twin with the same key: claim it first
        session = _claim(customer_id, session["id"], lambda s: s["status"] == "starting")
        if session["status"] != "starting":
            return _public(session)  # the twin started it: its PSP session, not another
        customer = _customer(customer_id)  # as the twin may have left it
    try:
        begun = begin(StartRequest(
            customer_id=customer_id, currency=params["currency"], brand=params["brand"],
            provider_customer=customer["providers"].get(provider.name, {}), idempotency_key=session["id"],
            options=params["options"], saved_card=params.get("saved_card"),
        ))
    except PspFailure as failure:
        _release(customer_id, session["id"])  # still "starting": a retry with the same key starts it again
        raise api_error(failure) from None
    except BaseException:
        _release(customer_id, session["id"])
        raise
    accepted = [params["brand"]] if params["kind"] == "cvc" else begun.accepted_brands
    session.update(status="open", provider_ref=begun.ref, target=begun.target.to_json(),
                   accepted_brands=accepted, provider_customer=begun.provider_customer)
    session.pop("claim", None)
    with store().transaction():  # the open session, and what the PSP kept for the customer if it is new
        if customer["providers"].get(provider.name) != begun.provider_customer:
            customer["providers"][provider.name] = begun.provider_customer
            store().put("customer", customer_id, customer)
        return store().put("session", session["id"], session, owner=customer_id)


def _public(session: dict) -> dict:
    return {k: v for k, v in session.items() if k != "claim"}


def _lease() -> float:
    return float(current_app.config["REQUEST_DEADLINE"]) + CLAIM_SLACK


def _held(session: dict) -> bool:
    claim = session.get("claim")
    return bool(claim) and claim["until"] > time.time()


def _claim(customer_id: str, session_id: str, wants) -> dict:
    """Claim the session for one call to the PSP if `wants(session)`, waiting (within this request's deadline)
    while another call holds it. -> the session: claimed by us if it still `wants`, else as the other left it."""
    waited_until = time.monotonic() + (resilience.remaining() or _lease())
    pause = FIRST_POLL
    while True:
        # One transaction to look and claim. Not durable: a power cut that loses a claim ends its holder too.
        with store().transaction(durable=False):
            session, version = _versioned(customer_id, session_id, lock=True)
            if not wants(session):
                return session
            if not _held(session):
                mine = _claimed(session)
                if store().replace("session", session_id, mine, version, owner=customer_id):
                    return mine
                continue  # another call claimed it first: look again
        if time.monotonic() > waited_until:
            raise PanlessError("psp_unavailable")  # the first call is still at the PSP: try again shortly
        time.sleep(pause)
        pause = min(pause * 1.5, POLL)


def _claimed(session: dict) -> dict:
    return {**session, "claim": {"until": time.time() + _lease(), "id": secrets.token_hex(8)}}


def _release(customer_id: str, session_id: str, **changes) -> dict:
    """End this call's claim, writing what it learnt (one transaction, the row locked)."""
    with store().transaction():
        session = store().get("session", session_id, lock=True)
        session.pop("claim", None)
        session.update(changes)
        return store().put("session", session_id, session, owner=customer_id)


def _versioned(customer_id: str, session_id: str, lock: bool = False) -> tuple[dict, int]:
    found = store().get_versioned("session", session_id, lock)
    if found is None or found[0]["customer"] != customer_id:
        raise PanlessError("session_not_found")  # another customer's session looks like none at all
    return found


def _customer(customer_id: str) -> dict:
    """The customer's record: what each provider kept for it."""
    return store().get("customer", customer_id) or {"id": customer_id, "providers": {}}


def _new_session(customer_id: str, params: dict, client_key: str | None) -> tuple[dict, bool]:
    """A new session, claimed by this call, and True; or a concurrent twin's with the same key, and False."""
    session = _claimed({"id": random_id("ses_"), "customer": customer_id, **params, "status": "starting",
                        "provider_ref": None, "target": None, "accepted_brands": [], "card": None, "attempts": 0,
                        "created_at": int(time.time())})
    # The session and its key together, so that whoever finds the key also finds the session. Not durable:
    # the answer waits for the durable write of the open session, and a retry after a cut starts anew.
    with store().transaction(durable=False):
        won = not client_key or store().insert_new("session_key", f"{customer_id}:{client_key}",
                                                   {"session": session["id"]})
        if won:
            store().put("session", session["id"], session, owner=customer_id)
    if not won:
        return _session_for_key(customer_id, client_key, params), False  # a concurrent twin won: its session
    return session, True


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
    return _public(_versioned(customer_id, session_id)[0])


def _finishable(session: dict) -> bool:
    return session["status"] == "open" and session["attempts"] < MAX_FINISH_ATTEMPTS


def finish(customer_id: str, session_id: str, browser_result) -> dict:
    """-> the saved card; for a CVC session, with the `charge` that makes it ready to charge."""
    session = _claim(customer_id, session_id, _finishable)
    cvc = session.get("kind") == "cvc"
    if not _finishable(session):
        if session["status"] == "completed":  # the first finish's card, whichever call asks
            saved = card(customer_id, session["card"])
            return {**saved, "charge": session["charge"]} if cvc else saved
        if session["attempts"] >= MAX_FINISH_ATTEMPTS:
            raise PanlessError("too_many_attempts")  # a cap per session, whatever the IP or token
        raise PanlessError("session_closed")
    provider = providers.get(session["provider"])
    try:
        request = FinishRequest(
            ref=session["provider_ref"], customer_id=customer_id,
            provider_customer=_provider_customer(customer_id, session, provider.name),
            browser_result=browser_result, saved_card=session.get("saved_card"),
        )
        saved = provider.finish_cvc(request) if cvc else provider.finish(request)
    except PspFailure as failure:
        error = api_error(failure)
        # Refusals and bad input count toward the cap; an outage or a lost answer is no shopper's doing.
        changes = {"attempts": session["attempts"] + 1} if failure.kind == PspFailure.REFUSED else {}
        if error.retry == "new_session":
            changes.update(status="failed", error=error.code)
        _release(customer_id, session_id, **changes)
        raise error from None
    except BaseException:
        _release(customer_id, session_id)
        raise
    if cvc:
        return _charged(customer_id, session, asdict(saved))
    record = {**asdict(saved), "provider": session["provider"], "active": True, "created_at": int(time.time())}
    with store().transaction():  # the card and the completed session, together or not at all
        if not store().insert_new("card", _card_key(session["provider"], saved.token), record, owner=customer_id):
            record = store().get("card", _card_key(session["provider"], saved.token))  # kept by an earlier finish
        _release(customer_id, session_id, status="completed", card=saved.token)
    return record


def _charged(customer_id: str, session: dict, charge: dict) -> dict:
    """The saved card recorded as ready to charge, and the CVC session completed, together."""
    with store().transaction():
        key = _card_key(session["provider"], session["saved_card"])
        record = {**store().get("card", key, lock=True), "charge": charge}
        store().put("card", key, record, owner=customer_id)
        _release(customer_id, session["id"], status="completed", card=session["saved_card"], charge=charge)
    return record


def _provider_customer(customer_id: str, session: dict, provider: str) -> dict:
    """What the PSP kept for the customer: the session carries it from its start (a read saved), else, for
    a session stored before it did, the customer's record."""
    if "provider_customer" in session:
        return session["provider_customer"]
    return _customer(customer_id)["providers"].get(provider, {})


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
        record.pop("charge", None)  # a removed card is ready for nothing
        store().put("card", _card_key(record["provider"], token), record, owner=customer_id)
    return record
