"""Stax (formerly Fattmerchant), per ../shared/protocols.md section 4.

start:  ensure a Stax customer for ours (Bearer API key); the target is the web-payments tokenize
        endpoint, authorized by the merchant's public web-payments token in its path (never the API key),
        with the Stax customer id passed through so the payment method is born associated.
finish: the browser's result is the payment method id; view it (Bearer) and check it belongs to our
        customer before saving it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ...core.settings import ConfigError
from ..errors import hint
from .base import (
    OPTIONAL,
    Card,
    FinishRequest,
    Provider,
    ProviderSession,
    PspFailure,
    StartRequest,
    TokenizationTarget,
    shaped,
)

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
BRANDS = ["visa", "mastercard", "amex", "discover", "jcb", "diners", "maestro"]
# The field a Stax error names (its first key) -> our stable code
FIELD_ERRORS = {
    "card_number": "invalid_number", "card_exp": "invalid_expiry", "card_cvv": "invalid_cvc",
    "person_name": "invalid_name", "address_zip": "invalid_postal", "card": "card_refused",
    # {"error": "invalid_token"}: the web-payments token in the URL is not the merchant's (a setting, not the card)
    "customer_id": "session_expired", "method": "tokenization_failed", "error": "psp_misconfigured",
    "message": "tokenization_failed",
}
# Shapes of what the adapter reads from Stax's answers.
LAST4 = re.compile(r"[0-9]{4}")
CARD_EXPIRY = re.compile(r"(0[1-9]|1[0-2])[0-9]{4}")  # MMYYYY on the way out (MMYY on the way in)


class StaxProvider(Provider):
    name = "stax"
    title = "Stax"
    required = ("BASE_URL", "API_KEY", "WEB_TOKEN")
    secret_keys = ("API_KEY",)

    def __init__(self, config: dict):
        super().__init__(config)
        self.api_key = str(config["API_KEY"])
        self.web_token = str(config["WEB_TOKEN"])

    def start(self, request: StartRequest) -> ProviderSession:
        stax_customer = request.provider_customer.get("customer_id") or self._create_customer(request.customer_id)
        target = TokenizationTarget(
            url=f"{self.base_url}/webpayment/{self.web_token}/tokenize",
            encoding="json",
            headers={"Accept": "application/json"},
            fields={"method": "card", "customer_id": stax_customer},
            card_fields={"number": "card_number", "expiry": "card_exp", "cvc": "card_cvv", "name": "person_name",
                         "postal": "address_zip"},
            expiry_format="MMYY",
            result={"type": "json", "path": "id", "error_code_path": "*key"},
            errors={field: hint(code) for field, code in FIELD_ERRORS.items()},
        )
        return ProviderSession(ref=stax_customer, target=target, accepted_brands=BRANDS,
                               provider_customer={"customer_id": stax_customer})

    def finish(self, request: FinishRequest) -> Card:
        result = request.browser_result
        if not isinstance(result, str) or not UUID.fullmatch(result):
            raise PspFailure(PspFailure.REFUSED, "invalid_result")  # an id, never a path of the browser's choosing
        try:
            method = self._call("GET", f"/payment-method/{quote(result)}", idempotent=True)
        except PspFailure as failure:
            if failure.kind == PspFailure.GONE:  # an id Stax never issued: not this session's result
                raise PspFailure(PspFailure.REFUSED, "invalid_result") from None
            raise
        # The session's ref is the Stax customer the target passed along, so the method was born with it.
        if method.get("customer_id") != request.ref or method.get("deleted_at"):
            raise PspFailure(PspFailure.REFUSED, "invalid_result")  # not a payment method this session created
        return self.card_from(method)

    def check(self) -> None:
        try:  # an authenticated read of a customer that cannot exist: "invalid id" means the key works
            self._call("GET", "/customer/00000000-0000-4000-8000-000000000000", idempotent=True)
        except PspFailure as failure:
            if failure.kind == PspFailure.AUTH:
                raise ConfigError("PANLESS_STAX__API_KEY: Stax refused this key") from None
            if failure.kind != PspFailure.GONE:
                raise
        # An empty tokenization: refused for its missing fields by a known token, as unauthorized otherwise.
        response = self.http("POST", f"{self.base_url}/webpayment/{quote(self.web_token)}/tokenize", json={},
                             headers={"Accept": "application/json"}, idempotent=True)
        if response.status_code == 401:
            raise ConfigError("PANLESS_STAX__WEB_TOKEN: Stax does not know this web-payments token")

    def deactivate(self, card_token: str) -> None:
        self._call("DELETE", f"/payment-method/{quote(card_token)}", idempotent=True)  # a soft delete; repeatable

    @staticmethod
    def card_from(method: dict) -> Card:
        shaped(method, id=str, card_type=(str, OPTIONAL), card_last_four=LAST4, card_exp=CARD_EXPIRY)
        exp = method["card_exp"]
        return Card(token=method["id"], brand=method.get("card_type") or "unknown", last4=method["card_last_four"],
                    exp_month=int(exp[:2]), exp_year=int(exp[2:]), fingerprint=None)

    def _create_customer(self, customer_id: str) -> str:
        body = {"firstname": "Panless", "lastname": "Shopper", "email": f"{customer_id}@shoppers.example.com",
                "reference": customer_id}
        # Retried like a read: a connection the server closed while idle fails the first try, and a repeat
        # can at worst leave a spare customer at Stax, never a second card.
        return shaped(self._call("POST", "/customer", json=body, idempotent=True), id=str)["id"]

    def _call(self, method: str, path: str, **kw) -> dict:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        response = self.http(method, self.base_url + path, headers=headers, **kw)
        body = self.body_of(response)
        if 200 <= response.status_code < 300:
            return shaped(body)
        if response.status_code == 422 and isinstance(body, dict) and "id" in body:
            raise PspFailure(PspFailure.GONE)  # "The selected id is invalid.": no such payment method
        raise PspFailure(PspFailure.UNEXPECTED, f"status {response.status_code}")
