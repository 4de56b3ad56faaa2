"""Verifone UK Gateway's cards on the sandbox: create (`_id` plus issuer facts), view, update (re-attach a
CVV), and the minimal transaction that uses one.

The CVV is held only until one transaction uses it, and at most 24 hours. The sandbox never stores the
value (it checks and drops it, as everywhere); it records until when the card "holds" one, which is what
decides a transaction's `cvv_result` (1 matched, 0 unavailable).
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime

from .. import cards
from ..store import SandboxStore
from ..vault import Vault
from . import errors

CVV_TTL = 24 * 3600
ISSUER = {"VISA": ("Panless Sandbox Bank", "GBR", "GBP", "CREDIT"),
          "MASTERCARD": ("Panless Sandbox Bank", "GBR", "GBP", "DEBIT"),
          "AMEX": ("American Express", "USA", "USD", "CREDIT")}
DEFAULT_ISSUER = ("Panless Sandbox Bank", "GBR", "GBP", "CREDIT")
PUBLIC = ("_id", "bin", "brand", "created_at", "currency", "expiry_month", "expiry_year", "issuer",
          "issuer_country", "last_four", "organisation", "type")


def _stamp(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class VerifoneBackend:
    def __init__(self, store: SandboxStore, vault: Vault, api_key: str, organisation: str):
        self.store, self.vault, self.api_key, self.organisation = store, vault, api_key, organisation

    @classmethod
    def from_settings(cls, store: SandboxStore, vault: Vault, psp: dict, sandbox: dict) -> VerifoneBackend:
        return cls(store, vault, str(psp["API_KEY"]), str(psp["ORGANISATION"]))

    def now(self) -> float:
        return self.store.clock.now()

    def authenticate(self, api_key: str | None) -> None:
        if not api_key or not secrets.compare_digest(api_key.encode(), self.api_key.encode()):
            raise errors.unauthorized()

    # -- cards -----------------------------------------------------------------------------------------

    def create_card(self, body: dict) -> dict:
        self._strings(body, ("card_number", "cvv", "expiry_month", "expiry_year", "organisation"))
        self._organisation(body)
        pan = body.get("card_number") or ""
        if not cards.pan_ok(pan):
            raise errors.invalid("card_number", "card_number is not a valid card number.")
        month, year = self._expiry(body.get("expiry_month"), body.get("expiry_year"))
        brand = cards.brand_of(pan) or "VISA"
        cvv = body.get("cvv")
        if cvv is not None:
            self._cvv(cvv, brand)
        if pan in cards.REFUSED_AT_VALIDATION:
            raise errors.not_supported()
        issuer, country, currency, kind = ISSUER.get(brand, DEFAULT_ISSUER)
        card = {
            "_id": str(uuid.UUID(bytes=secrets.token_bytes(16), version=4)), "bin": pan[:6], "brand": brand,
            "created_at": _stamp(self.now()), "currency": currency, "expiry_month": month, "expiry_year": year,
            "issuer": issuer, "issuer_country": country, "last_four": pan[-4:], "organisation": self.organisation,
            "type": kind, "vault": self.vault.seal({"pan": pan, "exp": f"{month}{year[-2:]}", "holder": None}),
            "cvv_until": self.now() + CVV_TTL if cvv else None,
        }
        self.store.put("vf_card", card["_id"], card)
        return self.public(card)

    def get_card(self, card_id: str) -> dict:
        return self.public(self._card(card_id))

    def update_card(self, card_id: str, body: dict) -> dict:
        """Re-attach a CVV (or change the expiry): `organisation` plus at least one field; the same `_id`."""
        card = self._card(card_id)
        self._strings(body, ("cvv", "expiry_month", "expiry_year", "organisation"))
        self._organisation(body)
        if not any(body.get(k) is not None for k in ("cvv", "expiry_month", "expiry_year")):
            raise errors.invalid("body", "Send organisation and at least one card field to update.")
        if body.get("expiry_month") is not None or body.get("expiry_year") is not None:
            card["expiry_month"], card["expiry_year"] = self._expiry(
                body.get("expiry_month", card["expiry_month"]), body.get("expiry_year", card["expiry_year"]))
        if body.get("cvv") is not None:
            self._cvv(body["cvv"], card["brand"])
            card["cvv_until"] = self.now() + CVV_TTL
        self.store.put("vf_card", card_id, card)
        return self.public(card)

    # -- the minimal transaction: it spends the held CVV -------------------------------------------------

    def create_transaction(self, body: dict) -> dict:
        for name in ("account", "card"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise errors.invalid(name, f"{name} is required.")
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise errors.invalid("amount", "amount must be a positive integer in minor units.")
        card = self._card(body["card"])
        held = card["cvv_until"] is not None and card["cvv_until"] > self.now()
        card["cvv_until"] = None  # used (or expired): discarded either way
        self.store.put("vf_card", card["_id"], card)
        transaction = {
            "_id": str(uuid.UUID(bytes=secrets.token_bytes(16), version=4)), "account": body["account"],
            "amount": amount, "card": card["_id"], "created_at": _stamp(self.now()),
            "cvv_result": "1" if held else "0", "merchant_reference": body.get("merchant_reference"),
            "status": "SETTLEMENT_REQUESTED" if body.get("capture_now") is True else "AUTHORIZED",
        }
        self.store.put("vf_transaction", transaction["_id"], transaction)
        return transaction

    # -- helpers ---------------------------------------------------------------------------------------------

    @staticmethod
    def public(card: dict) -> dict:
        return {k: card[k] for k in PUBLIC}

    def _card(self, card_id: str) -> dict:
        card = self.store.get("vf_card", card_id)
        if card is None:
            raise errors.not_found("Card")
        return card

    @staticmethod
    def _strings(body: dict, names: tuple[str, ...]) -> None:
        """The documented fields are all strings; a number where a string belongs is refused, not guessed."""
        for name in names:
            if body.get(name) is not None and not isinstance(body[name], str):
                raise errors.invalid(name, f"{name} must be a string.")

    def _organisation(self, body: dict) -> None:
        if body.get("organisation") != self.organisation:
            raise errors.invalid("organisation", "organisation is missing or unknown.")

    def _expiry(self, month, year) -> tuple[str, str]:
        if not re.fullmatch(r"[0-9]{1,2}", month or "") or not 1 <= int(month) <= 12:
            raise errors.invalid("expiry_month", "expiry_month must be a month from 1 to 12.")
        if not re.fullmatch(r"[0-9]{2}|20[0-9]{2}", year or ""):
            raise errors.invalid("expiry_year", "expiry_year must have two or four digits.")
        month, year = f"{int(month):02d}", year if len(year) == 4 else "20" + year
        if not cards.expiry_mmyy_ok(month + year[2:], self.now()):
            raise errors.invalid("expiry_year", "The card has expired.")
        return month, year

    @staticmethod
    def _cvv(cvv: str, brand: str) -> None:
        if not re.fullmatch(r"[0-9]{4}" if brand == "AMEX" else r"[0-9]{3}", cvv):
            raise errors.invalid("cvv", "cvv is not valid for this card.")
