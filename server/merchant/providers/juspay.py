"""Juspay Express Checkout card vault, per ../shared/protocols.md section 2.

start:  nothing to create at Juspay: the target is /card/tokenize (form, no authentication, headers
        x-merchantid and x-routing-id = the customer), which answers {"token": "ctkn_..."} (15 minutes).
finish: POST /card/add with the token (Basic auth, API key as user name) -> card_token, then read the
        customer's card list for brand, last 4 and expiry.
"""

from __future__ import annotations

import secrets

from ..errors import PanlessError, hint
from .base import Card, Provider, ProviderSession, StartRequest, TokenizationTarget

BRANDS = ["visa", "mastercard", "amex", "maestro", "discover", "diners", "jcb", "unionpay", "cb", "bcmc"]
BRAND_FOR_JUSPAY = {"VISA": "visa", "MASTERCARD": "mastercard", "MASTER": "mastercard", "AMEX": "amex",
                    "MAESTRO": "maestro", "DISCOVER": "discover", "DINERS": "diners", "JCB": "jcb",
                    "RUPAY": "rupay"}
# The field Juspay names in error_info.fields -> our stable code.
FIELD_ERRORS = {
    "card_number": "invalid_number", "card_exp_month": "invalid_expiry", "card_exp_year": "invalid_expiry",
    "card_security_code": "invalid_cvc", "name_on_card": "invalid_name", "merchant_id": "tokenization_failed",
}
# error_info.code from /card/add -> our stable code
ADD_ERRORS = {"EXPIRED": "session_expired", "RESOURCE_NOT_FOUND": "session_expired", "INVALID_INPUT": "card_refused",
              "UNAUTHENTICATED": "psp_auth_failed", "UNAUTHORIZED": "psp_auth_failed"}


class JuspayProvider(Provider):
    name = "juspay"
    required = ("BASE_URL", "MERCHANT_ID", "API_KEY")
    secret_keys = ("API_KEY",)

    def __init__(self, config: dict):
        super().__init__(config)
        self.merchant_id = str(config["MERCHANT_ID"])
        self.api_key = str(config["API_KEY"])

    def start(self, request: StartRequest) -> ProviderSession:
        target = TokenizationTarget(
            url=f"{self.base_url}/card/tokenize",
            headers={"x-merchantid": self.merchant_id, "x-routing-id": request.customer_id},
            fields={"merchant_id": self.merchant_id},
            card_fields={"number": "card_number", "exp_month": "card_exp_month", "exp_year": "card_exp_year",
                         "cvc": "card_security_code", "name": "name_on_card"},
            expiry_format="MM+YYYY",
            result={"type": "json", "path": "token", "error_code_path": "error_info.fields.0.field_name"},
            errors={field: hint(code) for field, code in FIELD_ERRORS.items()},
        )
        # No PSP-side session: the merchant session is the reference, the customer id routes the calls.
        return ProviderSession(ref="jp_" + secrets.token_hex(8), target=target, accepted_brands=BRANDS,
                               provider_customer={"customer_id": request.customer_id})

    def finish(self, session: dict, browser_result) -> Card:
        if not isinstance(browser_result, str) or not browser_result.startswith("ctkn_") or len(browser_result) > 200:
            raise PanlessError("invalid_result")
        customer = session["customer"]
        added = self._call("POST", "/card/add", data={
            "merchant_id": self.merchant_id, "customer_id": customer, "token": browser_result,
            "customer_email": f"{customer}@shoppers.example.com",
        }, routing=customer, idempotent=True)  # Juspay answers a repeated add with the same card
        listed = self._call("GET", "/cards", params={"customer_id": customer}, routing=customer, idempotent=True)
        for card in listed.get("cards", []):
            if card.get("card_token") == added["card_token"]:
                return self.card_from(card)
        raise PanlessError("psp_error")

    def deactivate(self, card_token: str) -> None:
        try:
            self._call("POST", "/card/delete", data={"card_token": card_token}, idempotent=True)
        except PanlessError as exc:
            if exc.code != "session_expired":  # RESOURCE_NOT_FOUND: already deleted, e.g. by a lost answer
                raise

    @staticmethod
    def card_from(card: dict) -> Card:
        return Card(token=card["card_token"], brand=BRAND_FOR_JUSPAY.get(card.get("card_brand"), "unknown"),
                    last4=card["card_number"][-4:], exp_month=int(card["card_exp_month"]),
                    exp_year=int(card["card_exp_year"]), fingerprint=card.get("card_fingerprint"))

    def _call(self, method: str, path: str, routing: str | None = None, **kw) -> dict:
        headers = {"x-merchantid": self.merchant_id, **({"x-routing-id": routing} if routing else {})}
        response = self.http(method, self.base_url + path, auth=(self.api_key, ""), headers=headers, **kw)
        body = self.body_of(response)
        if 200 <= response.status_code < 300:
            return body
        code = (body.get("error_info") or {}).get("code") if isinstance(body, dict) else None
        raise PanlessError(ADD_ERRORS.get(code, "psp_error"))
