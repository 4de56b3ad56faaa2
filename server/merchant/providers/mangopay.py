"""Mangopay (API v2.01): card registrations over OAuth2, per ../shared/protocols.md section 1.

start:  ensure a natural user for the customer, create a CardRegistration (Idempotency-Key = session id);
        the browser posts the card to its CardRegistrationURL with data + accessKeyRef.
finish: PUT RegistrationData ("data=..." from the tokenizer), then view the Card.
"""

from __future__ import annotations

import hashlib
import threading
import time
from urllib.parse import quote, urlsplit

import requests

from ..errors import PanlessError, hint
from .base import Card, Provider, ProviderSession, StartRequest, TokenizationTarget, origin_of

CARD_TYPE_FOR_BRAND = {
    "visa": "CB_VISA_MASTERCARD", "mastercard": "CB_VISA_MASTERCARD", "cb": "CB_VISA_MASTERCARD",
    "amex": "AMEX", "maestro": "MAESTRO", "bcmc": "BCMC",
}
BRANDS_FOR_CARD_TYPE = {
    card_type: sorted(b for b, t in CARD_TYPE_FOR_BRAND.items() if t == card_type)
    for card_type in set(CARD_TYPE_FOR_BRAND.values())
}
# Card.CardProvider -> our brand name
BRAND_FOR_PROVIDER = {"VISA": "visa", "MASTERCARD": "mastercard", "CB": "cb", "AMEX": "amex",
                      "MAESTRO": "maestro", "BCMC": "bcmc", "JCB": "jcb", "DISCOVER": "discover",
                      "DINERS": "diners"}
# Tokenizer "errorCode=" values the browser may see -> our stable codes.
TOKENIZER_ERRORS = {
    "02625": "invalid_number", "02626": "invalid_expiry", "02624": "invalid_expiry", "02627": "invalid_cvc",
    "02631": "session_expired", "09101": "session_expired", "01902": "card_refused",
    "02101": "tokenization_failed", "02628": "tokenization_failed", "02632": "tokenization_failed",
}
# Registration ResultCode on Status ERROR -> our stable codes.
RESULT_ERRORS = {
    "105202": "invalid_number", "105203": "invalid_expiry", "105204": "invalid_cvc",
    "105206": "invalid_result", "105299": "card_refused", "101699": "tokenization_failed",
    "001599": "tokenization_failed", "105205": "tokenization_failed",
}
KNOWN_HOSTS = {
    "api.sandbox.mangopay.com": ["https://pci.sandbox.mangopay.com", "https://homologation-webpayment.payline.com"],
    "api.mangopay.com": ["https://pci.mangopay.com", "https://webpayment.payline.com"],
}
TOKEN_REFRESH_MARGIN = 60  # seconds before expiry, like Mangopay's Node SDK


def idempotency_key(prefix: str, merchant_id: str) -> str:
    """Mangopay keys are 16-36 characters of [A-Za-z0-9-]; derived so a retry reuses the same key."""
    return f"{prefix}-{hashlib.sha256(merchant_id.encode()).hexdigest()[:30]}"


class MangopayProvider(Provider):
    name = "mangopay"
    sandbox_path = "/v2.01/"
    settings = {"TOKENIZATION_ORIGINS": None}  # None: derived from BASE_URL
    required = ("BASE_URL", "CLIENT_ID", "API_KEY")
    secret_keys = ("API_KEY",)

    def __init__(self, config: dict):
        super().__init__(config)
        self.base_url += "/"
        self.client_id = str(config["CLIENT_ID"])
        self.api_key = str(config["API_KEY"])
        self._token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()

    # -- the contract -------------------------------------------------------------------------------

    def start(self, request: StartRequest) -> ProviderSession:
        card_type = CARD_TYPE_FOR_BRAND.get(request.brand or "visa")
        if card_type is None:
            raise PanlessError("unsupported_brand")
        user_id = request.provider_customer.get("user_id") or self._create_user(request.customer_id)
        key = idempotency_key("reg", request.idempotency_key)
        registration = self._create_registration(user_id, request.currency, card_type, key)
        if registration is None:  # the PSP no longer knows this user (e.g. a reset sandbox): create it again
            user_id = self._create_user(request.customer_id, fresh=True)
            registration = self._create_registration(user_id, request.currency, card_type, key + "-2")
        if registration is None:
            raise PanlessError("psp_error")
        return ProviderSession(
            ref=registration["Id"], target=self._target(registration),
            accepted_brands=BRANDS_FOR_CARD_TYPE[card_type], provider_customer={"user_id": user_id},
        )

    def finish(self, session: dict, browser_result) -> Card:
        if not isinstance(browser_result, str) or len(browser_result) > 4096 or not (
            browser_result.startswith("data=") or browser_result.startswith("errorCode=")
        ):
            raise PanlessError("invalid_result")
        path = f"cardregistrations/{quote(session['provider_ref'])}"
        try:
            registration = self._api("PUT", path, json={"RegistrationData": browser_result}, idempotent=True)
        except PanlessError as exc:
            # Already finished (a retry after a lost answer)? The registration says how it ended.
            registration = self._finished_with(path, browser_result)
            if registration is None:
                raise exc from None
        if registration.get("Status") != "VALIDATED":
            code = RESULT_ERRORS.get(str(registration.get("ResultCode")), "card_refused")
            raise PanlessError(code)
        return self.card_from(self._api("GET", f"cards/{quote(registration['CardId'])}", idempotent=True))

    def _finished_with(self, path: str, browser_result: str) -> dict | None:
        try:
            registration = self._api("GET", path, idempotent=True)
        except PanlessError:
            return None
        return registration if registration.get("RegistrationData") == browser_result else None

    def deactivate(self, card_token: str) -> None:
        try:
            self._api("PUT", f"cards/{quote(card_token)}", json={"Active": False}, idempotent=True)
        except PanlessError as exc:
            if exc.code != "session_not_found":  # a 404: Mangopay no longer has the card
                raise

    def tokenization_origins(self) -> list[str]:
        configured = self.config.get("TOKENIZATION_ORIGINS")
        if configured:
            return configured.split() if isinstance(configured, str) else list(configured)
        host = urlsplit(self.base_url).hostname
        return [origin_of(self.base_url), *KNOWN_HOSTS.get(host, [])]

    # -- builders and parsers -----------------------------------------------------------------------

    def _target(self, registration: dict) -> TokenizationTarget:
        no_cvc = registration["CardType"] in ("MAESTRO", "BCMC")
        return TokenizationTarget(
            url=registration["CardRegistrationURL"],
            fields={"data": registration["PreregistrationData"], "accessKeyRef": registration["AccessKey"]},
            card_fields={"number": "cardNumber", "expiry": "cardExpirationDate", "cvc": "cardCvx"},
            expiry_format="MMYY",
            result={"type": "text", "error_prefix": "errorCode="},
            errors={code: hint(ours) for code, ours in TOKENIZER_ERRORS.items()},
            cvc_required=not no_cvc,
        )

    @staticmethod
    def card_from(card: dict) -> Card:
        expiry = card["ExpirationDate"]
        return Card(
            token=card["Id"], brand=BRAND_FOR_PROVIDER.get(card.get("CardProvider"), "unknown"),
            last4=card["Alias"][-4:], exp_month=int(expiry[:2]), exp_year=2000 + int(expiry[2:]),
            fingerprint=card.get("Fingerprint"),
        )

    def _create_user(self, customer_id: str, fresh: bool = False) -> str:
        key = idempotency_key("usr2" if fresh else "usr", customer_id)
        body = {"FirstName": "Panless", "LastName": "Shopper", "Email": f"{customer_id}@shoppers.example.com",
                "UserCategory": "PAYER", "TermsAndConditionsAccepted": True, "Tag": customer_id}
        return self._create("users/natural", body, key)["Id"]

    def _create_registration(self, user_id: str, currency: str, card_type: str, key: str) -> dict | None:
        body = {"UserId": user_id, "Currency": currency, "CardType": card_type}
        try:
            return self._create("cardregistrations", body, key)
        except _UnknownUser:
            return None

    def _create(self, path: str, body: dict, key: str) -> dict:
        """POST with an Idempotency-Key; after a lost response the retry gets 409, and the kept
        response is read back from /responses/{key}, so a retry never creates a second object."""
        response = self._request("POST", path, json=body, headers={"Idempotency-Key": key}, idempotent=True)
        if response.status_code == 409:
            kept = self._api("GET", f"responses/{key}", idempotent=True)
            status, resource = int(kept.get("StatusCode", 0)), kept.get("Resource") or {}
            if status == 200:
                return resource
            return self._raise_for(status, resource)
        return self._parse(response)

    # -- HTTP ----------------------------------------------------------------------------------------

    def _api(self, method: str, path: str, **kw) -> dict:
        return self._parse(self._request(method, path, **kw))

    def _request(self, method: str, path: str, *, headers: dict | None = None, **kw) -> requests.Response:
        url = f"{self.base_url}{self.client_id}/{path}"
        for attempt in (1, 2):
            auth = {"Authorization": f"Bearer {self._access_token(force=attempt == 2)}"}
            response = self.http(method, url, headers={**auth, **(headers or {})}, **kw)
            if response.status_code != 401:
                return response
        return response

    def _parse(self, response: requests.Response) -> dict:
        body = self.body_of(response)
        if 200 <= response.status_code < 300:
            return body
        return self._raise_for(response.status_code, body if isinstance(body, dict) else {})

    def _raise_for(self, status: int, body: dict):
        errors = body.get("errors") or {}
        if status == 400 and "UserId" in errors:
            raise _UnknownUser()
        if status == 400 and "Currency" in errors:
            raise PanlessError("unsupported_currency")
        if status == 404:
            raise PanlessError("session_not_found")
        raise PanlessError("psp_error")

    def _access_token(self, force: bool = False) -> str:
        with self._token_lock:
            if not force and self._token and self._token[1] - TOKEN_REFRESH_MARGIN > time.time():
                return self._token[0]
            response = self.http("POST", f"{self.base_url}oauth/token", auth=(self.client_id, self.api_key),
                                 data={"grant_type": "client_credentials"}, idempotent=True)
            if response.status_code != 200:
                raise PanlessError("psp_auth_failed")
            token = self.json_of(response)
            self._token = (token["access_token"], time.time() + int(token.get("expires_in", 0)))
            return self._token[0]


class _UnknownUser(Exception):
    pass
