"""Verifone UK Gateway (Omni platform), per ../shared/protocols.md section 5, through the tokenization relay.

`POST /v1/card` needs the API key, so the browser posts the card to the relay, which adds `X-APIKEY`.
start:  mint the relay ticket for `card`, with the organisation as its only parameter.
finish: check the relay's receipt (this session's token), then read the card back from Verifone
        (`GET /v1/card/{id}`, which Verifone documents) for brand, last 4 and expiry: what the PSP kept, not
        what the browser says.
The CVV stays with the card until one transaction uses it, or 24 hours; a reused card takes a new one
through `POST /v1/card/{id}` with `cvv` and `organisation` (CVC re-collection: the relay's `cvv` operation,
the card's id in the ticket, the CVV alone from the browser; the card keeps its id).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .base import OPTIONAL, Card, Charge, FinishRequest, ProviderSession, PspFailure, StartRequest, shaped
from .relayed import RELAY_ROOT, RelayedProvider

LAST4 = re.compile(r"[0-9]{4}")
MONTH = re.compile(r"0?[1-9]|1[0-2]")
YEAR = re.compile(r"[0-9]{2}|[0-9]{4}")
CVV_TTL = 24 * 3600  # seconds Verifone holds a CVV at most (one transaction spends it sooner)
BRANDS = ["visa", "mastercard", "amex", "maestro", "discover", "jcb", "diners"]
BRAND_FOR_VERIFONE = {"VISA": "visa", "MASTERCARD": "mastercard", "AMEX": "amex", "MAESTRO": "maestro",
                      "DISCOVER": "discover", "JCB": "jcb", "DINERS": "diners", "CB": "cb"}
# Verifone's `error` (sandbox-chosen shape, tests/fixtures/verifone) -> our stable code
PSP_ERRORS = {
    "invalid_card_number": "invalid_number", "invalid_expiry_month": "invalid_expiry",
    "invalid_expiry_year": "invalid_expiry", "invalid_cvv": "invalid_cvc", "card_not_supported": "card_refused",
    "invalid_organisation": "tokenization_failed", "invalid_body": "tokenization_failed",
    "unauthorized": "tokenization_failed",
}


class VerifoneProvider(RelayedProvider):
    name = "verifone"
    title = "Verifone UK Gateway"
    settings = {"RELAY_URL": RELAY_ROOT}
    required = ("BASE_URL", "API_KEY", "ORGANISATION", "RELAY_URL", "RELAY_KEY")
    secret_keys = ("API_KEY", "RELAY_KEY")
    operation = "card"
    card_fields = {"number": "card_number", "exp_month": "expiry_month", "exp_year": "expiry_year", "cvc": "cvv"}
    psp_errors = PSP_ERRORS
    cvc_recollection = True
    cvc_operation = "cvv"
    cvc_field = "cvv"

    def __init__(self, config: dict):
        super().__init__(config)
        self.api_key = str(config["API_KEY"])
        self.organisation = str(config["ORGANISATION"])

    def start(self, request: StartRequest) -> ProviderSession:
        target = self.relay_target(request, {"organisation": self.organisation})
        return ProviderSession(ref=request.idempotency_key, target=target, accepted_brands=BRANDS,
                               provider_customer={})

    def finish(self, request: FinishRequest) -> Card:
        token = self.receipt(request)["token"]
        try:
            card = self._call("GET", f"/v1/card/{quote(token, safe='')}", idempotent=True)
        except PspFailure as failure:
            if failure.kind == PspFailure.GONE:  # not a card Verifone knows: the receipt's token is not real
                raise PspFailure(PspFailure.REFUSED, "invalid_result") from None
            raise
        if card.get("_id") != token or card.get("organisation") != self.organisation:
            raise PspFailure(PspFailure.REFUSED, "invalid_result")
        return self.card_from(card)

    def start_cvc(self, request: StartRequest) -> ProviderSession:
        target = self.cvc_target(request, {"organisation": self.organisation, "id": request.saved_card})
        return ProviderSession(ref=request.idempotency_key, target=target, accepted_brands=BRANDS,
                               provider_customer={})

    def finish_cvc(self, request: FinishRequest) -> Charge:
        claims = self.cvc_receipt(request)
        if claims["token"] != request.saved_card:  # Verifone updates the card in place: the same _id
            raise PspFailure(PspFailure.REFUSED, "invalid_result")
        return self.charge_from(claims, request.saved_card, CVV_TTL)

    def deactivate(self, card_token: str) -> None:
        """Verifone UK Gateway documents no card deletion: the merchant forgets the token."""

    @staticmethod
    def card_from(card: dict) -> Card:
        shaped(card, _id=str, brand=(str, OPTIONAL), last_four=LAST4, expiry_month=MONTH, expiry_year=YEAR)
        return Card(token=card["_id"], brand=BRAND_FOR_VERIFONE.get(card.get("brand"), "unknown"),
                    last4=card["last_four"], exp_month=int(card["expiry_month"]), exp_year=int(card["expiry_year"]))

    def _call(self, method: str, path: str, **kw) -> dict:
        response = self.http(method, self.base_url + path, headers={"X-APIKEY": self.api_key,
                                                                   "Accept": "application/json"}, **kw)
        body = self.body_of(response)
        if 200 <= response.status_code < 300:
            return shaped(body)
        if response.status_code == 404:
            raise PspFailure(PspFailure.GONE)
        raise PspFailure(PspFailure.UNEXPECTED, f"status {response.status_code}")
