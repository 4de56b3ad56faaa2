"""Stax's state and rules on the sandbox: customers, card tokenization by web payments, payment methods.

The backend takes JSON bodies as dicts and raises StaxError; views.py turns HTTP into calls here.
Fields whose names start with "_" are internal and never rendered.
"""

from __future__ import annotations

import calendar
import re
import secrets
import uuid
from datetime import UTC, datetime

from .. import cards
from ..store import SandboxStore
from ..vault import Vault
from . import errors

CARD_TYPE = {"VISA": "visa", "MASTERCARD": "mastercard", "AMEX": "amex", "DISCOVER": "discover", "JCB": "jcb",
             "DINERS": "diners", "MAESTRO": "maestro", "BCMC": "maestro"}
CUSTOMER_FIELDS = ["firstname", "lastname", "company", "email", "cc_emails", "phone", "address_1", "address_2",
                   "address_city", "address_state", "address_zip", "address_country", "notes", "reference",
                   "options"]
ADDRESS_FIELDS = ["address_1", "address_2", "address_city", "address_state", "address_zip", "address_country"]
EDITABLE = {"is_default", "person_name", "card_exp", "nickname", "customer_id", *ADDRESS_FIELDS}


def stamp(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M:%S")


class StaxBackend:
    def __init__(self, store: SandboxStore, vault: Vault, merchant: dict):
        self.store, self.vault = store, vault
        self.merchant_id, self.api_key, self.web_token = (merchant["MERCHANT_ID"], merchant["API_KEY"],
                                                          merchant["WEB_TOKEN"])
        # The Stax user the API key belongs to: what user_id says of methods created with it.
        self.user_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"stax-user:{self.merchant_id}"))

    @classmethod
    def from_settings(cls, store: SandboxStore, vault: Vault, psp: dict, sandbox: dict) -> StaxBackend:
        return cls(store, vault, {k: str(v) for k, v in psp.items()})

    def now(self) -> float:
        return self.store.clock.now()

    def api_key_ok(self, token: str) -> bool:
        return bool(token) and secrets.compare_digest(token.encode(), self.api_key.encode())

    # -- customers -------------------------------------------------------------------------------------

    def create_customer(self, body: dict) -> dict:
        if not any(isinstance(body.get(k), str) and body[k].strip()
                   for k in ("firstname", "lastname", "company", "email")):
            raise errors.field_error(422, "firstname", "The firstname field is required when none of "
                                                        "lastname / company / email are present.")
        now = stamp(self.now())
        customer = {"id": str(uuid.uuid4()),
                    **{k: body.get(k, [] if k == "cc_emails" else "" if k in ("reference", "options") else None)
                       for k in CUSTOMER_FIELDS},
                    "cc_sms": None, "created_at": now, "updated_at": now, "deleted_at": None,
                    "allow_invoice_credit_card_payments": True,
                    "gravatar": "//www.gravatar.com/avatar/" + secrets.token_hex(16)}
        self.store.put("stax_customer", customer["id"], customer, owner=self.merchant_id)
        return customer

    def customers_page(self, page: int, per_page: int, path: str) -> dict:
        """All customers, newest first, as a Laravel page (what Stax's list endpoints answer)."""
        everyone = self.store.find("stax_customer", owner=self.merchant_id)[::-1]
        last = max(1, -(-len(everyone) // per_page))
        shown = everyone[(page - 1) * per_page: page * per_page]

        def url(number: int) -> str:
            return f"{path}?page={number}"

        first = (page - 1) * per_page + 1 if shown else None
        return {"current_page": page, "data": shown, "first_page_url": url(1), "from": first, "last_page": last,
                "last_page_url": url(last), "next_page_url": url(page + 1) if page < last else None, "path": path,
                "per_page": per_page, "prev_page_url": url(page - 1) if page > 1 else None,
                "to": first + len(shown) - 1 if shown else None, "total": len(everyone)}

    def customer(self, customer_id: str) -> dict:
        customer = self.store.get("stax_customer", customer_id)
        if customer is None:
            raise errors.invalid_id()
        return customer

    # -- browser: web payments tokenize ---------------------------------------------------------------

    def tokenize(self, web_token: str, body: dict | None) -> dict:
        if not secrets.compare_digest(web_token.encode(), self.web_token.encode()):
            raise errors.invalid_token()
        if body is None:
            raise errors.not_json()
        return self._create_card(body, user_id="hosted-payments", required=("address_zip",))

    # -- server: create a payment method (server-side tokenization) ----------------------------------------

    def create_method(self, body: dict) -> dict:
        return self._create_card(body, user_id=self.user_id, required=())

    def _create_card(self, body: dict, user_id: str, required: tuple[str, ...]) -> dict:
        """A card payment method from its details; web payments also need the postal code."""
        if body.get("method", "card") != "card":
            raise errors.field_error(422, "method", "The selected method is invalid.")
        name = body.get("person_name") or " ".join(filter(None, [body.get("firstname"), body.get("lastname")]))
        missing = [field for field, value in (("card_number", body.get("card_number")),
                                              ("card_exp", body.get("card_exp")), ("person_name", name),
                                              *((field, body.get(field)) for field in required))
                   if not isinstance(value, str) or not value.strip()]
        if missing:
            raise errors.required(missing)
        pan, exp, cvv = body["card_number"], body["card_exp"], body.get("card_cvv")
        if not cards.pan_ok(pan):
            raise errors.field_error(422, "card_number", "The card number is invalid.")
        if not cards.expiry_mmyy_ok(exp, self.now()):
            raise errors.field_error(422, "card_exp", "The card exp is invalid or the card has expired.")
        if cvv not in (None, "") and not re.fullmatch(r"[0-9]{3,4}", str(cvv)):
            raise errors.field_error(422, "card_cvv", "The card cvv must be 3 or 4 digits.")
        if pan in cards.REFUSED_AT_VALIDATION:
            raise errors.field_error(422, "card", "The card was declined by the issuer.")
        customer_id = body.get("customer_id")
        if customer_id is not None:
            self.customer(str(customer_id))
        vault_id = self.vault.seal({"pan": pan, "exp": exp, "holder": name})
        return self._new_method(pan, exp, name, customer_id, vault_id, has_cvv=bool(cvv), body=body, user_id=user_id)

    def _new_method(self, pan, exp, name, customer_id, vault_id, has_cvv, body, user_id) -> dict:
        card_type = CARD_TYPE.get(cards.brand_of(pan) or "", "visa")
        month, year = exp[:2], "20" + exp[2:]
        now = stamp(self.now())
        method = {
            "id": str(uuid.uuid4()), "customer_id": customer_id, "merchant_id": self.merchant_id,
            "user_id": user_id, "nickname": f"{card_type.upper()}: {name} (ending in: {pan[-4:]})",
            "has_cvv": int(has_cvv), "is_default": 0, "method": "card", "person_name": name,
            "card_type": card_type, "card_last_four": pan[-4:], "card_exp": month + year,
            "bank_name": None, "bank_type": None, "bank_holder_type": None,
            **{k: body.get(k) for k in ADDRESS_FIELDS},
            "purged_at": None, "deleted_at": None, "created_at": now, "updated_at": now,
            "card_exp_datetime": f"{year}-{month}-{calendar.monthrange(int(year), int(month))[1]:02d} 23:59:59",
            "is_usable_in_vt": True, "is_tokenized": True, "meta": None,
            "_vault": vault_id, "_fingerprint": self.vault.fingerprint(pan),
        }
        self.store.put("stax_method", method["id"], method, owner=customer_id)
        return self.render(method)

    def render(self, method: dict, customer: dict | None = None) -> dict:
        shown = {k: v for k, v in method.items() if not k.startswith("_")}
        if method["customer_id"]:
            shown["customer"] = customer or self.customer(method["customer_id"])
        return shown

    # -- server: payment methods ------------------------------------------------------------------------

    def method(self, method_id: str) -> dict:
        method = self.store.get("stax_method", method_id)
        if method is None:
            raise errors.invalid_id()
        return method  # soft-deleted ones too, as Stax returns them

    def update(self, method_id: str, body: dict) -> dict:
        method = self.method(method_id)
        if method["deleted_at"]:
            raise errors.invalid_id()
        changes = {k: v for k, v in body.items() if k in EDITABLE}
        if "customer_id" in changes and changes["customer_id"] is not None:
            self.customer(str(changes["customer_id"]))
        if "card_exp" in changes:
            exp = str(changes.pop("card_exp"))
            if re.fullmatch(r"[0-9]{6}", exp):  # Stax's own example sends MMYYYY
                exp = exp[:2] + exp[4:]
            if not cards.expiry_mmyy_ok(exp, self.now()):
                raise errors.field_error(422, "card_exp", "The card exp is invalid or the card has expired.")
            method["card_exp"] = exp[:2] + "20" + exp[2:]
        method.update(changes, updated_at=stamp(self.now()))
        self.store.put("stax_method", method_id, method, owner=method["customer_id"])
        return self.render(method)

    def delete(self, method_id: str) -> dict:
        method = self.method(method_id)
        if not method["deleted_at"]:
            method["deleted_at"] = stamp(self.now())
            self.store.put("stax_method", method_id, method, owner=method["customer_id"])
        return self.render(method)

    def customer_methods(self, customer_id: str) -> list[dict]:
        customer = self.customer(customer_id)
        return [self.render(m, customer) for m in self.store.find("stax_method", owner=customer_id)
                if not m["deleted_at"]]
