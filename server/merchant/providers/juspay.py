"""Juspay Express Checkout card vault, per ../shared/protocols.md section 2.

start:  nothing to create at Juspay: the target is /card/tokenize (form, no authentication, headers
        x-merchantid and x-routing-id = the customer), which answers {"token": "ctkn_..."} (15 minutes).
finish: POST /card/add with the token (Basic auth, API key as user name) -> card_token, then read the
        customer's card list for brand, last 4 and expiry.
CVC re-collection: the same /card/tokenize with `stored_card_token` (the saved card_token) and
        `card_security_code` alone; its ctkn_ token (15 minutes) is what a payment of the saved card uses.
        Juspay documents no way to read a ctkn_ token back: the payment call is where Juspay checks it.
"""

from __future__ import annotations

import re
import secrets
import time

from ...core.settings import ConfigError
from ..errors import hint
from .base import (
    OPTIONAL,
    Card,
    Charge,
    FinishRequest,
    Provider,
    ProviderSession,
    PspFailure,
    StartRequest,
    TokenizationTarget,
    shaped,
)

BRANDS = ["visa", "mastercard", "amex", "maestro", "discover", "diners", "jcb", "unionpay", "cb", "bcmc", "rupay"]
BRAND_FOR_JUSPAY = {"VISA": "visa", "MASTERCARD": "mastercard", "MASTER": "mastercard", "AMEX": "amex",
                    "MAESTRO": "maestro", "DISCOVER": "discover", "DINERS": "diners", "JCB": "jcb",
                    "RUPAY": "rupay", "UNIONPAY": "unionpay"}
# The field Juspay names in error_info.fields -> our stable code.
FIELD_ERRORS = {
    "card_number": "invalid_number", "card_exp_month": "invalid_expiry", "card_exp_year": "invalid_expiry",
    "card_security_code": "invalid_cvc", "name_on_card": "invalid_name", "merchant_id": "psp_misconfigured",
}
# error_info.code of a failed call -> the PSP failure it is (kind, detail)
CALL_ERRORS = {"EXPIRED": (PspFailure.GONE,), "RESOURCE_NOT_FOUND": (PspFailure.GONE,),
               "INVALID_INPUT": (PspFailure.REFUSED, "card_refused"),
               "UNAUTHENTICATED": (PspFailure.AUTH,), "UNAUTHORIZED": (PspFailure.AUTH,)}
# Shapes of what the adapter reads from Juspay's answers.
MASKED_NUMBER = re.compile(r".*[0-9]{4}")   # XXXX-XXXXXXXX-9454
MONTH = re.compile(r"0?[1-9]|1[0-2]")
YEAR = re.compile(r"[0-9]{4}")
TOKEN_TTL = 15 * 60  # seconds a /card/tokenize token lives


class JuspayProvider(Provider):
    name = "juspay"
    title = "Juspay"
    required = ("BASE_URL", "MERCHANT_ID", "API_KEY")
    secret_keys = ("API_KEY",)

    def __init__(self, config: dict):
        super().__init__(config)
        self.merchant_id = str(config["MERCHANT_ID"])
        self.api_key = str(config["API_KEY"])

    cvc_recollection = True

    def tokenize_target(self, request: StartRequest, fields: dict, card_fields: dict) -> TokenizationTarget:
        return TokenizationTarget(
            url=f"{self.base_url}/card/tokenize",
            headers={"x-merchantid": self.merchant_id, "x-routing-id": request.customer_id},
            fields={"merchant_id": self.merchant_id, **fields}, card_fields=card_fields, expiry_format="MM+YYYY",
            result={"type": "json", "path": "token", "error_code_path": "error_info.fields.0.field_name"},
            errors={field: hint(code) for field, code in FIELD_ERRORS.items()},
        )

    def start(self, request: StartRequest) -> ProviderSession:
        target = self.tokenize_target(request, {}, {
            "number": "card_number", "exp_month": "card_exp_month", "exp_year": "card_exp_year",
            "cvc": "card_security_code", "name": "name_on_card"})
        # No PSP-side session: the merchant session is the reference, the customer id routes the calls.
        return ProviderSession(ref="jp_" + secrets.token_hex(8), target=target, accepted_brands=BRANDS,
                               provider_customer={"customer_id": request.customer_id})

    def start_cvc(self, request: StartRequest) -> ProviderSession:
        target = self.tokenize_target(request, {"stored_card_token": request.saved_card},
                                      {"cvc": "card_security_code"})
        return ProviderSession(ref="jp_" + secrets.token_hex(8), target=target, accepted_brands=BRANDS,
                               provider_customer={"customer_id": request.customer_id})

    @staticmethod
    def token_of(result) -> str:
        """The browser's result if it is a /card/tokenize token, else invalid_result."""
        if not isinstance(result, str) or not result.startswith("ctkn_") or len(result) > 200:
            raise PspFailure(PspFailure.REFUSED, "invalid_result")
        return result

    def finish_cvc(self, request: FinishRequest) -> Charge:
        return Charge(token=self.token_of(request.browser_result), expires_at=int(time.time()) + TOKEN_TTL)

    def finish(self, request: FinishRequest) -> Card:
        result = self.token_of(request.browser_result)
        customer = request.customer_id  # Juspay's customer is ours: no id of its own to keep
        added = self._call("POST", "/card/add", data={
            "merchant_id": self.merchant_id, "customer_id": customer, "token": result,
            "customer_email": f"{customer}@shoppers.example.com",
        }, routing=customer, idempotent=True)  # Juspay answers a repeated add with the same card
        token = shaped(added, card_token=str)["card_token"]
        listed = self._call("GET", "/cards", params={"customer_id": customer}, routing=customer, idempotent=True)
        return self.card_from(self.listed_card(listed, token))

    def check(self) -> None:
        try:  # an authenticated read: a wrong key fails here, not after a shopper posted a card
            self._call("GET", "/cards", params={"customer_id": "panless-check"}, routing="panless-check",
                       idempotent=True)
        except PspFailure as failure:
            if failure.kind == PspFailure.AUTH:
                raise ConfigError("PANLESS_JUSPAY__API_KEY: Juspay refused this key") from None
            raise
        # The tokenizer names an unknown merchant_id before it reads any card field (none is sent).
        response = self.http("POST", f"{self.base_url}/card/tokenize", data={"merchant_id": self.merchant_id},
                             headers={"x-merchantid": self.merchant_id}, idempotent=True)
        info = self.json_of(response).get("error_info") if response.status_code >= 400 else None
        fields = info.get("fields") if isinstance(info, dict) else None
        if any(isinstance(f, dict) and f.get("field_name") == "merchant_id" for f in fields or []):
            raise ConfigError(f"PANLESS_JUSPAY__MERCHANT_ID: Juspay does not know merchant {self.merchant_id!r}")

    def deactivate(self, card_token: str) -> None:
        self._call("POST", "/card/delete", data={"card_token": card_token}, idempotent=True)

    @staticmethod
    def listed_card(listed: dict, token: str) -> dict:
        """The card with this token in a customer's card list: just added, so missing means Juspay misspoke."""
        for card in shaped(listed, cards=list)["cards"]:
            if isinstance(card, dict) and card.get("card_token") == token:
                return card
        raise PspFailure(PspFailure.UNEXPECTED, "the added card is not listed")

    @staticmethod
    def card_from(card: dict) -> Card:
        shaped(card, card_token=str, card_number=MASKED_NUMBER, card_exp_month=MONTH, card_exp_year=YEAR,
               card_brand=(str, OPTIONAL), card_fingerprint=(str, OPTIONAL))
        return Card(token=card["card_token"], brand=BRAND_FOR_JUSPAY.get(card.get("card_brand"), "unknown"),
                    last4=card["card_number"][-4:], exp_month=int(card["card_exp_month"]),
                    exp_year=int(card["card_exp_year"]), fingerprint=card.get("card_fingerprint"))

    def _call(self, method: str, path: str, routing: str | None = None, **kw) -> dict:
        headers = {"x-merchantid": self.merchant_id, **({"x-routing-id": routing} if routing else {})}
        response = self.http(method, self.base_url + path, auth=(self.api_key, ""), headers=headers, **kw)
        body = self.body_of(response)
        if 200 <= response.status_code < 300:
            return shaped(body)
        info = body.get("error_info") if isinstance(body, dict) else None
        code = info.get("code") if isinstance(info, dict) else None
        failure = CALL_ERRORS.get(code) if isinstance(code, str) else None
        raise PspFailure(*(failure or (PspFailure.UNEXPECTED, f"status {response.status_code}")))
