"""Relay tickets and receipts: the signed statements the merchant app and the tokenization relay exchange
through the browser, which can carry them but not forge or alter them.

A ticket (merchant app -> relay) allows one forwarded tokenization: bound to the PSP, the customer, the
session and the exact operation with its parameters, valid a few minutes, spent once (the relay records it).
A receipt (relay -> merchant app) says which token the relay got from the PSP for that session, with the
card's displayable metadata (brand, last 4, expiry). Both are HMAC-SHA-256 over compact JSON, keyed with the
PSP's relay key (configuration both services share); `typ` keeps one from passing for the other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time

TICKET_TTL = 300      # seconds: long enough to type a card, short enough to be useless later
RECEIPT_TTL = 3600    # the browser hands it to finalize at once; an hour covers a retried finalize
MAX_LENGTH = 4096


class SignatureError(ValueError):
    """A ticket or receipt that does not verify; `code` is what the relay or the adapter reports."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, body: str) -> str:
    return _b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest())


def sign(key: str, claims: dict) -> str:
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(key, body)}"


def verify(key: str, signed, typ: str, now: float | None = None) -> dict:
    """The claims of a genuine, unexpired statement of this type; else SignatureError."""
    if not isinstance(signed, str) or len(signed) > MAX_LENGTH or signed.count(".") != 1:
        raise SignatureError(f"{typ}_invalid")
    body, mac = signed.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(key, body).encode()):
        raise SignatureError(f"{typ}_invalid")
    try:
        claims = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        raise SignatureError(f"{typ}_invalid") from None
    if not isinstance(claims, dict) or claims.get("typ") != typ or not isinstance(claims.get("exp"), (int, float)):
        raise SignatureError(f"{typ}_invalid")
    if claims["exp"] <= (time.time() if now is None else now):
        raise SignatureError(f"{typ}_expired")
    return claims


def mint_ticket(key: str, *, psp: str, customer: str, session: str, operation: str, params: dict,
                ttl: int = TICKET_TTL, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    return sign(key, {"typ": "ticket", "psp": psp, "cus": customer, "ses": session, "op": operation,
                      "params": params, "iat": issued, "exp": issued + ttl, "jti": secrets.token_urlsafe(18)})


def mint_receipt(key: str, ticket: dict, token: str, card: dict, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    return sign(key, {"typ": "receipt", "psp": ticket["psp"], "cus": ticket["cus"], "ses": ticket["ses"],
                      "op": ticket["op"], "params": ticket["params"], "token": token, "card": card,
                      "iat": issued, "exp": issued + RECEIPT_TTL})
