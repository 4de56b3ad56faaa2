"""Juspay's card vault state and rules on the sandbox: tokens from the browser, saved cards, deletion.

The backend takes the form fields as a dict and raises JuspayError; views.py turns HTTP into calls here.
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

TOKEN_TTL = 15 * 60
# Juspay's brand names (card_brand) for the brands the sandbox knows by BIN.
BRAND = {"VISA": "VISA", "MASTERCARD": "MASTERCARD", "AMEX": "AMEX", "MAESTRO": "MAESTRO", "DISCOVER": "DISCOVER",
         "DINERS": "DINERS", "JCB": "JCB", "BCMC": "MAESTRO", "RUPAY": "RUPAY", "UNIONPAY": "UNIONPAY"}


class JuspayBackend:
    def __init__(self, store: SandboxStore, vault: Vault, merchants: dict[str, str]):
        self.store, self.vault, self.merchants = store, vault, merchants

    @classmethod
    def from_settings(cls, store: SandboxStore, vault: Vault, psp: dict, sandbox: dict) -> JuspayBackend:
        return cls(store, vault, {str(psp["MERCHANT_ID"]): str(psp["API_KEY"])})

    def now(self) -> float:
        return self.store.clock.now()

    def merchant_for_key(self, api_key: str) -> str | None:
        for merchant, key in self.merchants.items():
            if secrets.compare_digest(key.encode(), api_key.encode()):
                return merchant
        return None

    # -- browser: tokenize ------------------------------------------------------------------------

    def tokenize(self, form: dict[str, str]) -> dict:
        merchant = form.get("merchant_id", "")
        if not merchant:
            raise errors.missing("merchant_id", "Merchant id")
        if merchant not in self.merchants:
            raise errors.invalid("merchant_id", "Merchant id", "Unknown merchant.")
        cvc = form.get("card_security_code", "")
        if form.get("stored_card_token"):
            card = self._card(merchant, form["stored_card_token"])
            if not re.fullmatch(r"[0-9]{3,4}", cvc):
                raise self._cvc_error(cvc)
            return self._issue(merchant, card["vault"], stored=card["card_token"])
        card = self._card_fields(form)
        if not re.fullmatch(r"[0-9]{3,4}", cvc) or (cards.brand_of(card["pan"]) == "AMEX") != (len(cvc) == 4):
            raise self._cvc_error(cvc)
        return self._issue(merchant, self.vault.seal(card))

    @staticmethod
    def _card_fields(form: dict[str, str]) -> dict:
        """card_number, card_exp_month, card_exp_year and name_on_card, checked -> what the vault seals."""
        pan = form.get("card_number", "")
        if not pan:
            raise errors.missing("card_number", "Card number")
        if not cards.pan_ok(pan):
            raise errors.invalid("card_number", "Card number", "Invalid card number.")
        month, year = form.get("card_exp_month", ""), form.get("card_exp_year", "")
        if not month:
            raise errors.missing("card_exp_month", "Card expiry month")
        if not re.fullmatch(r"[0-9]{1,2}", month) or not 1 <= int(month) <= 12:
            raise errors.invalid("card_exp_month", "Card expiry month", "invalidRange")
        if not year:
            raise errors.missing("card_exp_year", "Card expiry year")
        # yyyy; a past date is not refused here (Juspay's own sample tokenizes 07/2015): /cards flags it.
        if not re.fullmatch(r"20[0-9]{2}", year):
            raise errors.invalid("card_exp_year", "Card expiry year", "invalidFormat")
        return {"pan": pan, "exp": f"{int(month):02d}{year[2:]}", "holder": form.get("name_on_card") or None}

    @staticmethod
    def _cvc_error(cvc: str) -> errors.JuspayError:
        if not cvc:
            return errors.missing("card_security_code", "Card security code", reason="nullable")
        return errors.invalid("card_security_code", "Card security code", "invalidFormat")

    def _issue(self, merchant: str, vault_id: str, stored: str | None = None) -> dict:
        token = "ctkn_" + secrets.token_hex(16)
        self.store.put("jp_token", token, {"merchant": merchant, "vault": vault_id, "stored": stored,
                                           "expires": self.now() + TOKEN_TTL, "card": None})
        return {"token": token}

    # -- server: add, list, delete -------------------------------------------------------------------

    def add_card(self, merchant: str, form: dict[str, str]) -> dict:
        customer = form.get("customer_id", "")
        if not customer:
            raise errors.missing("customer_id", "Customer id")
        token_id = form.get("token") or form.get("card_token", "")  # /card/add sends token, /cards card_token
        if not token_id and form.get("card_number"):  # the documented alternative: the card itself
            card_data = self._card_fields(form)
            return self._card_reply(self._save(merchant, customer, card_data, None, form))
        if not token_id:
            raise errors.missing("token", "Card token")
        token = self.store.get("jp_token", token_id)
        if token is None or token["merchant"] != merchant:
            raise errors.not_found("card_token")
        if token["card"]:  # the same call again: the same card
            return self._card_reply(self._card(merchant, token["card"]))
        if token["expires"] <= self.now():
            raise errors.expired_token()
        card = self._save(merchant, customer, self.vault.open(token["vault"]), token["vault"], form)
        token["card"] = card["card_token"]
        self.store.put("jp_token", token_id, token)
        return self._card_reply(card)

    def _save(self, merchant, customer, card_data: dict, vault_id: str | None, form) -> dict:
        """The customer's card for this PAN: the one already saved, or a new one (sealed now without a vault id)."""
        if card_data["pan"] in cards.REFUSED_AT_VALIDATION:
            raise errors.card_declined()
        fingerprint = self.vault.fingerprint(card_data["pan"])
        existing = [c for c in self.store.find("jp_card", owner=f"{merchant}:{customer}")
                    if c["fingerprint_key"] == fingerprint and not c["deleted"]]
        if existing:
            return existing[0]
        return self._new_card(merchant, customer, vault_id or self.vault.seal(card_data), card_data, fingerprint, form)

    def _new_card(self, merchant, customer, vault_id, card_data, fingerprint, form) -> dict:
        pan, exp = card_data["pan"], card_data["exp"]
        card = {
            "card_token": str(uuid.UUID(bytes=secrets.token_bytes(16), version=4)),
            "card_reference": secrets.token_hex(16),
            "card_number": f"{pan[:4]}-XXXXXXXX-{pan[-4:]}",
            "card_isin": pan[:6], "card_exp_year": "20" + exp[2:], "card_exp_month": exp[:2],
            "card_type": "CREDIT", "card_issuer": "Panless Sandbox Bank",
            "card_brand": BRAND.get(cards.brand_of(pan) or "", "VISA"),
            "nickname": form.get("nickname") or "", "name_on_card": card_data.get("holder") or "",
            "expired": False, "card_fingerprint": _base36(int(fingerprint, 16))[:25],
            "juspay_bank_code": "JP_SANDBOX", "card_sub_type": "",
            "card_issuer_country": "INDIA" if pan.startswith("6") else "UNITED STATES",
            "merchant": merchant, "customer": customer, "vault": vault_id, "deleted": False,
            "fingerprint_key": fingerprint,
        }
        self.store.put("jp_card", card["card_token"], card, owner=f"{merchant}:{customer}")
        return card

    @staticmethod
    def _card_reply(card: dict) -> dict:
        return {k: card[k] for k in ("card_token", "card_reference", "card_fingerprint")}

    def _card(self, merchant: str, card_token: str) -> dict:
        card = self.store.get("jp_card", card_token)
        if card is None or card["merchant"] != merchant or card["deleted"]:
            raise errors.not_found("card")
        return card

    def list_cards(self, merchant: str, customer: str) -> dict:
        if not customer:
            raise errors.missing("customer_id", "Customer id")
        listed = []
        today = datetime.fromtimestamp(self.now(), UTC)
        for card in self.store.find("jp_card", owner=f"{merchant}:{customer}"):
            if card["deleted"]:
                continue
            shown = {k: v for k, v in card.items()
                     if k not in ("merchant", "customer", "vault", "deleted", "fingerprint_key")}
            month, year = int(card["card_exp_month"]), int(card["card_exp_year"])
            shown["expired"] = (year, month) < (today.year, today.month)
            listed.append(shown)
        return {"customer_id": customer, "merchantId": merchant, "cards": listed}

    def delete_card(self, merchant: str, card_token: str) -> dict:
        if not card_token:
            raise errors.missing("card_token", "Card token")
        card = self._card(merchant, card_token)
        card["deleted"] = True
        self.store.put("jp_card", card_token, card, owner=f"{card['merchant']}:{card['customer']}")
        return {"card_token": card_token, "card_reference": card["card_reference"], "deleted": True}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
