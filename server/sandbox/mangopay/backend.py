"""Mangopay's state and rules on the sandbox: users, card registrations, the tokenizer, cards, idempotency.

The backend speaks Python dicts shaped like Mangopay's objects and raises MangopayError; views.py turns
HTTP into calls here and back. Fields whose names start with "_" are internal and never rendered.
"""

from __future__ import annotations

import base64
import json
import re
import secrets

from .. import cards
from ..store import SandboxStore
from ..vault import Vault, new_id
from . import errors

# Current docs: lower-case "bearer", 1200 s in Mangopay's sandbox (3600 s in production).
OAUTH_TTL = 1200
IDEMPOTENCY_TTL = 24 * 3600
# 02631 "delay exceeded": Mangopay does not document the limit; the sandbox allows 30 minutes between
# creating a registration and posting the card (configurable: PANLESS_SANDBOX__TOKENIZE_DELAY).
DEFAULT_TOKENIZE_DELAY = 30 * 60

CARD_TYPES = ("CB_VISA_MASTERCARD", "AMEX", "MAESTRO", "BCMC")
# Which brands (by BIN, see cards.py) a registration of each CardType accepts.
BRANDS_FOR_TYPE = {
    "CB_VISA_MASTERCARD": {"VISA", "MASTERCARD"},
    "AMEX": {"AMEX"},
    "MAESTRO": {"MAESTRO"},
    "BCMC": {"BCMC"},
}
CURRENCIES = {
    "EUR", "GBP", "USD", "CHF", "NOK", "PLN", "SEK", "DKK", "CAD", "ZAR", "AUD", "HKD", "JPY", "CZK",
    "RON", "HUF", "BGN", "ISK", "NZD", "SGD", "MXN", "BRL",
}

# Tokenizer error code -> registration ResultCode and ResultMessage when the result is finished.
RESULT_FOR_TOKENIZER_CODE = {
    "02625": ("105202", "Card number: invalid format"),
    "02626": ("105203", "Expiry date: missing or invalid format"),
    "02627": ("105204", "CVV: missing or invalid format"),
    "02628": ("105205", "Callback URL: Invalid format"),
}
TOKEN_INPUT_ERROR = ("105299", "Token input Error")
BAD_REGISTRATION_DATA = ("105206", "Registration data : Invalid format")
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9-]{16,36}")


def public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _random_text(n_bytes: int) -> str:
    return secrets.token_urlsafe(n_bytes)


class MangopayBackend:
    def __init__(self, store: SandboxStore, vault: Vault, clients: dict[str, str], tokenize_delay: int):
        self.store, self.vault, self.clients = store, vault, clients
        self.tokenize_delay = tokenize_delay

    @classmethod
    def from_settings(cls, store: SandboxStore, vault: Vault, psp: dict, sandbox: dict) -> MangopayBackend:
        delay = int(sandbox.get("TOKENIZE_DELAY") or DEFAULT_TOKENIZE_DELAY)
        return cls(store, vault, {str(psp["CLIENT_ID"]): str(psp["API_KEY"])}, delay)

    def now(self) -> int:
        return int(self.store.clock.now())

    # -- authentication ----------------------------------------------------------------------------

    def credentials_ok(self, client_id: str, api_key: str) -> bool:
        expected = self.clients.get(client_id)
        return expected is not None and secrets.compare_digest(expected.encode(), api_key.encode())

    def issue_token(self, client_id: str) -> dict:
        token = secrets.token_hex(16)
        self.store.put("mp_oauth", token, {"client": client_id, "expires": self.now() + OAUTH_TTL})
        return {"access_token": token, "token_type": "bearer", "expires_in": OAUTH_TTL}

    def client_for_token(self, token: str) -> str | None:
        grant = self.store.get("mp_oauth", token)
        if grant is None or grant["expires"] <= self.now():
            return None
        return grant["client"]

    # -- users -------------------------------------------------------------------------------------

    def create_natural_user(self, client_id: str, body: dict) -> dict:
        problems = {}
        for name in ("FirstName", "LastName", "Email"):
            if not isinstance(body.get(name), str) or not body[name].strip():
                problems[name] = f"The {name} field is required."
        if isinstance(body.get("Email"), str) and "@" not in body["Email"]:
            problems["Email"] = "The Email field is not a valid e-mail address."
        category = body.get("UserCategory", "PAYER")
        if category not in ("PAYER", "OWNER"):
            problems["UserCategory"] = "Error converting value to type 'UserCategory'. Use PAYER or OWNER."
        if problems:
            raise errors.param_error(**problems)
        stamp = self.now()
        user = {
            "Address": body.get("Address") if isinstance(body.get("Address"), dict) else None,
            "FirstName": body["FirstName"], "LastName": body["LastName"],
            # Documented: returned null for PAYER users even when sent.
            **{k: body.get(k) if category == "OWNER" else None
               for k in ("Birthday", "Nationality", "CountryOfResidence")},
            "Occupation": body.get("Occupation"),
            "IncomeRange": body.get("IncomeRange"), "ProofOfIdentity": None, "ProofOfAddress": None,
            "Capacity": body.get("Capacity", "NORMAL"),
            "Id": new_id("user_m_"), "Tag": body.get("Tag"), "CreationDate": stamp,
            "PersonType": "NATURAL", "Email": body["Email"], "KYCLevel": "LIGHT",
            "TermsAndConditionsAccepted": bool(body.get("TermsAndConditionsAccepted", False)),
            "TermsAndConditionsAcceptedDate": stamp if body.get("TermsAndConditionsAccepted") else None,
            "UserCategory": category, "UserStatus": "ACTIVE",
            "_client": client_id,
        }
        self.store.put("mp_user", user["Id"], user, owner=client_id)
        return user

    def _owned(self, kind: str, resource: str, client_id: str, id: str) -> dict:
        """An object of this client's, or Mangopay's 404 (another client's objects do not exist)."""
        obj = self.store.get(kind, id)
        if obj is None or obj["_client"] != client_id:
            raise errors.not_found(resource, id)
        return obj

    def get_user(self, client_id: str, user_id: str) -> dict:
        return self._owned("mp_user", "User", client_id, user_id)

    # -- card registrations ------------------------------------------------------------------------

    def create_registration(self, client_id: str, body: dict, public_base: str) -> dict:
        problems = {}
        user_id, currency = body.get("UserId"), body.get("Currency")
        card_type = body.get("CardType") or "CB_VISA_MASTERCARD"
        if not isinstance(user_id, str) or not user_id:
            problems["UserId"] = "The UserId field is required."
        if not isinstance(currency, str) or currency not in CURRENCIES:
            problems["Currency"] = (
                f"The code {currency} cannot be found in the standard ISO 4217 : "
                "http://en.wikipedia.org/wiki/ISO_4217"
            )
        if card_type not in CARD_TYPES:
            problems["CardType"] = f"Error converting value {json.dumps(card_type)} to type 'CardType'."
        if body.get("Tag") is not None and not isinstance(body["Tag"], str):
            problems["Tag"] = "The Tag field must be a string."
        if problems:
            raise errors.param_error(**problems)
        try:
            self.get_user(client_id, user_id)
        except errors.MangopayError:
            raise errors.param_error(UserId=f"The ressource User with the id={user_id} does not exist") from None
        ref = base64.urlsafe_b64encode(
            json.dumps({"client": client_id, "token": _random_text(16)}).encode()
        ).decode().rstrip("=")
        registration = {
            "Id": new_id("cardreg_m_"), "Tag": body.get("Tag"), "CreationDate": self.now(),
            "UserId": user_id, "AccessKey": _random_text(15), "PreregistrationData": _random_text(64),
            "RegistrationData": None, "CardId": None, "CardType": card_type,
            "CardRegistrationURL": f"{public_base}/mangopay/vault/tokenize/{ref}",
            "ResultCode": None, "ResultMessage": None, "Currency": currency, "Status": "CREATED",
            "_client": client_id,
        }
        self.store.put("mp_cardreg", registration["Id"], registration, owner=user_id, lookup=ref)
        return registration

    def get_registration(self, client_id: str, registration_id: str) -> dict:
        return self._owned("mp_cardreg", "CardRegistration", client_id, registration_id)

    def tokenize(self, ref: str, form: dict[str, str]) -> str:
        """The tokenization server: returns the text body, `data=...` or `errorCode=NNNNN`."""
        found = self.store.find("mp_cardreg", lookup=ref)
        registration = found[0] if found else None
        if (
            registration is None
            or registration["Status"] != "CREATED"
            or not secrets.compare_digest(form.get("accessKeyRef", ""), registration["AccessKey"])
            or not secrets.compare_digest(form.get("data", ""), registration["PreregistrationData"])
        ):
            return "errorCode=09101"
        if self.now() - registration["CreationDate"] > self.tokenize_delay:
            return "errorCode=02631"
        pan = form.get("cardNumber", "")
        card_type = registration["CardType"]
        if not cards.pan_ok(pan) or not self._brand_fits(pan, card_type):
            return "errorCode=02625"
        expiry = form.get("cardExpirationDate", "")
        if not cards.expiry_mmyy_ok(expiry, self.now()):
            return "errorCode=02626"
        if not self._cvc_ok(form.get("cardCvx", ""), card_type):
            return "errorCode=02627"
        holder = form.get("cardHolderName") or None
        vault_id = self.vault.seal({"pan": pan, "exp": expiry, "holder": holder})
        token = _random_text(64)
        self.store.put("mp_token", token, {"vault": vault_id, "registration": registration["Id"]},
                       owner=registration["Id"])
        return "data=" + token

    @staticmethod
    def _brand_fits(pan: str, card_type: str) -> bool:
        if pan in cards.DUAL_MAESTRO_BCMC:
            return card_type in ("MAESTRO", "BCMC")
        return cards.brand_of(pan) in BRANDS_FOR_TYPE[card_type]

    @staticmethod
    def _cvc_ok(cvc: str, card_type: str) -> bool:
        if card_type in ("MAESTRO", "BCMC"):
            return cvc == "" or (cards.ascii_digits(cvc) and len(cvc) == 3)
        return cards.ascii_digits(cvc) and len(cvc) == (4 if card_type == "AMEX" else 3)

    def finish_registration(self, client_id: str, registration_id: str, body: dict) -> dict:
        # One transaction from the status check to the card: two concurrent finishes make one card, and the
        # second answers as a retry of the first.
        with self.store.transaction():
            return self._finish_registration(client_id, registration_id, body)

    def _finish_registration(self, client_id: str, registration_id: str, body: dict) -> dict:
        registration = self.get_registration(client_id, registration_id)
        data = body.get("RegistrationData")
        if not isinstance(data, str) or not data:
            raise errors.param_error(RegistrationData="The RegistrationData field is required.")
        holder = body.get("CardHolderName")
        if holder is not None and (not isinstance(holder, str) or len(holder) > 255):
            raise errors.param_error(CardHolderName="The CardHolderName must be a string of at most 255 characters.")
        if registration["Status"] != "CREATED":
            if registration["RegistrationData"] == data:
                return registration  # a retry of the call that finished it: same answer
            raise errors.param_error(RegistrationData="This card registration has already been processed.")
        registration["RegistrationData"] = data
        outcome = self._finish_outcome(registration, data, holder)
        if isinstance(outcome, tuple):
            registration["Status"] = "ERROR"
            registration["ResultCode"], registration["ResultMessage"] = outcome
        else:
            registration["Status"], registration["CardId"] = "VALIDATED", outcome["Id"]
            registration["ResultCode"], registration["ResultMessage"] = "000000", "Success"
        self.store.put("mp_cardreg", registration_id, registration, owner=registration["UserId"],
                       lookup=None)
        return registration

    def _finish_outcome(self, registration: dict, data: str, holder: str | None) -> dict | tuple[str, str]:
        """The new Card, or (ResultCode, ResultMessage) when the registration fails."""
        if data.startswith("errorCode="):
            return RESULT_FOR_TOKENIZER_CODE.get(data[len("errorCode="):], TOKEN_INPUT_ERROR)
        if not data.startswith("data="):
            return BAD_REGISTRATION_DATA
        tokenization = self.store.get("mp_token", data[len("data="):])
        if tokenization is None or tokenization["registration"] != registration["Id"]:
            return BAD_REGISTRATION_DATA
        card_data = self.vault.open(tokenization["vault"])
        if card_data["pan"] in cards.REFUSED_AT_VALIDATION:
            return TOKEN_INPUT_ERROR
        return self._create_card(registration, tokenization["vault"], card_data, holder)

    def _create_card(self, registration: dict, vault_id: str, card_data: dict, holder: str | None) -> dict:
        pan = card_data["pan"]
        provider = cards.brand_of(pan) or "VISA"
        if pan in cards.DUAL_MAESTRO_BCMC:
            provider = registration["CardType"]
        fingerprint = self.vault.fingerprint(pan)
        card = {
            "ExpirationDate": card_data["exp"], "Alias": cards.alias(pan),
            "CardType": registration["CardType"], "CardProvider": provider, "Country": cards.country_of(pan),
            "Product": "I", "BankCode": "unknown", "Active": True, "Currency": registration["Currency"],
            "Validity": "UNKNOWN", "UserId": registration["UserId"], "Id": new_id("card_m_"),
            "Tag": registration["Tag"], "CreationDate": self.now(), "Fingerprint": fingerprint,
            "CardHolderName": holder or card_data.get("holder"),
            "_client": registration["_client"], "_vault": vault_id,
        }
        self.store.put("mp_card", card["Id"], card, owner=registration["UserId"], lookup=fingerprint)
        return card

    # -- cards ---------------------------------------------------------------------------------------

    def get_card(self, client_id: str, card_id: str) -> dict:
        return self._owned("mp_card", "Card", client_id, card_id)

    def update_card(self, client_id: str, card_id: str, body: dict) -> dict:
        card = self.get_card(client_id, card_id)
        if "Active" in body and body["Active"] is not None:
            active = _as_bool(body["Active"])
            if active is None:
                raise errors.param_error(Active="Active must be a boolean.")
            if active and not card["Active"]:
                raise errors.param_error(Active="A deactivated card cannot be reactivated.")
            card["Active"] = card["Active"] and active
        holder = body.get("CardHolderName")
        if holder is not None and holder != card["CardHolderName"]:
            if card["CardHolderName"]:
                raise errors.param_error(CardHolderName="The CardHolderName is already set on this card.")
            if not isinstance(holder, str) or len(holder) > 255:
                raise errors.param_error(
                    CardHolderName="The CardHolderName must be a string of at most 255 characters.")
            card["CardHolderName"] = holder
        self.store.put("mp_card", card_id, card, owner=card["UserId"], lookup=card["Fingerprint"])
        return card

    def user_cards(self, client_id: str, user_id: str) -> list[dict]:
        self.get_user(client_id, user_id)
        return [c for c in self.store.find("mp_card", owner=user_id) if c["_client"] == client_id]

    def fingerprint_cards(self, client_id: str, fingerprint: str) -> list[dict]:
        return [c for c in self.store.find("mp_card", lookup=fingerprint) if c["_client"] == client_id]

    # -- idempotency ---------------------------------------------------------------------------------

    def reserve_idempotency_key(self, client_id: str, key: str) -> None:
        """Claim the key before the call runs; a key already used in the last 24 h is a conflict."""
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise errors.param_error(**{"Idempotency-Key": "The key must be 16 to 36 characters: letters, digits, -."})
        record_id = f"{client_id}:{key}"
        created = self.store.created("mp_idem", record_id)
        if created is not None and self.now() - created > IDEMPOTENCY_TTL:
            self.store.delete("mp_idem", record_id)
        if not self.store.insert_new("mp_idem", record_id, {"response": None}):
            raise errors.idempotency_conflict()

    def keep_response(self, client_id: str, key: str, response: dict) -> None:
        self.store.put("mp_idem", f"{client_id}:{key}", {"response": response})

    def stored_response(self, client_id: str, key: str) -> dict:
        record_id = f"{client_id}:{key}"
        created = self.store.created("mp_idem", record_id)
        record = self.store.get("mp_idem", record_id)
        if record is None or record["response"] is None or self.now() - created > IDEMPOTENCY_TTL:
            raise errors.correlation_not_found()
        return record["response"]


def _as_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "0", "1"):
        return value.lower() in ("true", "1")
    return None
