"""Mangopay (API v2.01): card registrations over OAuth2, per ../shared/protocols.md section 1.

start:  ensure a natural user for the customer, create a CardRegistration (Idempotency-Key = session id);
        the browser posts the card to its CardRegistrationURL with data + accessKeyRef.
finish: PUT RegistrationData ("data=..." from the tokenizer), then view the Card.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from urllib.parse import quote, urlsplit

import requests

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
    origin_of,
    shaped,
)

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
# Shapes of what the adapter reads from Mangopay's answers.
MASKED_NUMBER = re.compile(r".*[0-9]{4}")           # Card.Alias: 497010XXXXXX8183
CARD_EXPIRY = re.compile(r"(0[1-9]|1[0-2])[0-9][0-9]")  # Card.ExpirationDate: MMYY
HTTP_STATUS = re.compile(r"[0-9]{3}")               # a kept response's StatusCode: "200"


def idempotency_key(prefix: str, merchant_id: str) -> str:
    """Mangopay keys are 16-36 characters of [A-Za-z0-9-]; derived so a retry reuses the same key."""
    return f"{prefix}-{hashlib.sha256(merchant_id.encode()).hexdigest()[:30]}"


class MangopayProvider(Provider):
    name = "mangopay"
    title = "Mangopay"
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
            raise PspFailure(PspFailure.UNSUPPORTED, "brand")
        user_id = request.provider_customer.get("user_id") or self._create_user(request.customer_id)
        key = idempotency_key("reg", request.idempotency_key)
        registration = self._create_registration(user_id, request.currency, card_type, key)
        if registration is None:  # the PSP no longer knows this user (e.g. a reset sandbox): create it again
            user_id = self._create_user(request.customer_id, fresh=True)
            registration = self._create_registration(user_id, request.currency, card_type, key + "-2")
        if registration is None:  # unknown right after its creation: Mangopay is not making sense
            raise PspFailure(PspFailure.UNEXPECTED, "a new user unknown")
        return self.session_from(registration, card_type, user_id)

    def finish(self, request: FinishRequest) -> Card:
        result = request.browser_result
        if not isinstance(result, str) or len(result) > 4096 or not result.startswith(("data=", "errorCode=")):
            raise PspFailure(PspFailure.REFUSED, "invalid_result")
        path = f"cardregistrations/{quote(request.ref)}"
        try:
            registration = self._api("PUT", path, json={"RegistrationData": result}, idempotent=True)
        except PspFailure as failure:
            # Already finished (a retry after a lost answer)? The registration says how it ended.
            registration = self._finished_with(path, result)
            if registration is None:
                raise failure from None
        card_id = self.card_id_from(registration)
        return self.card_from(self._api("GET", f"cards/{quote(card_id)}", idempotent=True))

    def _finished_with(self, path: str, browser_result: str) -> dict | None:
        try:
            registration = self._api("GET", path, idempotent=True)
        except PspFailure:
            return None
        return registration if registration.get("RegistrationData") == browser_result else None

    def check(self) -> None:
        try:
            self._access_token(force=True)
        except PspFailure as failure:
            if failure.kind == PspFailure.AUTH:
                raise ConfigError("PANLESS_MANGOPAY__CLIENT_ID / PANLESS_MANGOPAY__API_KEY: Mangopay refused "
                                  "them") from None
            raise
        try:  # a read under the client id: 404 for this made-up user means the client id is ours
            self._api("GET", "users/panless-check", idempotent=True)
        except PspFailure as failure:
            if failure.kind == PspFailure.AUTH:
                raise ConfigError("PANLESS_MANGOPAY__CLIENT_ID: the token is not valid for this client id") from None
            if failure.kind != PspFailure.GONE:
                raise

    def deactivate(self, card_token: str) -> None:
        self._api("PUT", f"cards/{quote(card_token)}", json={"Active": False}, idempotent=True)

    def tokenization_origins(self) -> list[str]:
        configured = self.config.get("TOKENIZATION_ORIGINS")
        if configured:
            return configured.split() if isinstance(configured, str) else list(configured)
        # Mangopay's own hosts: only its tokenization servers (the browser never calls the API host); elsewhere
        # (the sandbox, a proxy) the API's origin, which serves the tokenization URLs too.
        return list(KNOWN_HOSTS.get(urlsplit(self.base_url).hostname) or [origin_of(self.base_url)])

    # -- builders and parsers -----------------------------------------------------------------------

    @staticmethod
    def session_from(registration: dict, card_type: str, user_id: str) -> ProviderSession:
        shaped(registration, Id=str, CardType=str, CardRegistrationURL=str, PreregistrationData=str, AccessKey=str)
        target = TokenizationTarget(
            url=registration["CardRegistrationURL"],
            fields={"data": registration["PreregistrationData"], "accessKeyRef": registration["AccessKey"]},
            card_fields={"number": "cardNumber", "expiry": "cardExpirationDate", "cvc": "cardCvx"},
            expiry_format="MMYY",
            result={"type": "text", "error_prefix": "errorCode="},
            errors={code: hint(ours) for code, ours in TOKENIZER_ERRORS.items()},
            cvc_required=registration["CardType"] not in ("MAESTRO", "BCMC"),
        )
        return ProviderSession(ref=registration["Id"], target=target, accepted_brands=BRANDS_FOR_CARD_TYPE[card_type],
                               provider_customer={"user_id": user_id})

    @staticmethod
    def card_id_from(registration: dict) -> str:
        """The saved card's id from a finished registration, or the refusal its ResultCode says."""
        if shaped(registration, Status=str)["Status"] != "VALIDATED":
            raise PspFailure(PspFailure.REFUSED, RESULT_ERRORS.get(str(registration.get("ResultCode")), "card_refused"))
        return shaped(registration, CardId=str)["CardId"]

    @staticmethod
    def card_from(card: dict) -> Card:
        shaped(card, Id=str, Alias=MASKED_NUMBER, ExpirationDate=CARD_EXPIRY, CardProvider=(str, OPTIONAL),
               Fingerprint=(str, OPTIONAL))
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
        return shaped(self._create("users/natural", body, key), Id=str)["Id"]

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
            kept = self._kept_response(key)
            status, resource = int(kept["StatusCode"]), kept.get("Resource") or {}
            if status == 200:
                return resource
            return self._raise_for(status, resource)
        return self._parse(response)

    def _kept_response(self, key: str) -> dict:
        """The response Mangopay kept for a key already used; none kept yet means the first call is still
        running there (or died before answering): unavailable for now, so the caller retries, never stuck."""
        response = self._request("GET", f"responses/{key}", idempotent=True)
        if response.status_code == 400 and "correlation" in response.text.lower():
            raise PspFailure(PspFailure.UNAVAILABLE)
        return shaped(self._parse(response), StatusCode=HTTP_STATUS, Resource=(dict, OPTIONAL))

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
            return shaped(body)
        return self._raise_for(response.status_code, body if isinstance(body, dict) else {})

    def _raise_for(self, status: int, body: dict):
        errors = body.get("errors")
        errors = errors if isinstance(errors, dict) else {}
        if status == 400 and "UserId" in errors:
            raise _UnknownUser()
        if status == 400 and "Currency" in errors:
            raise PspFailure(PspFailure.UNSUPPORTED, "currency")
        if status == 404:
            raise PspFailure(PspFailure.GONE)
        raise PspFailure(PspFailure.UNEXPECTED, f"status {status}")

    def _access_token(self, force: bool = False) -> str:
        with self._token_lock:
            if not force and self._token and self._token[1] - TOKEN_REFRESH_MARGIN > time.time():
                return self._token[0]
            response = self.http("POST", f"{self.base_url}oauth/token", auth=(self.client_id, self.api_key),
                                 data={"grant_type": "client_credentials"}, idempotent=True)
            if response.status_code != 200:
                self.body_of(response)  # a gateway's 5xx or a 429 is the PSP being down, not our credentials
                raise PspFailure(PspFailure.AUTH)
            token = shaped(self.json_of(response), access_token=str, expires_in=(int, OPTIONAL))
            self._token = (token["access_token"], time.time() + (token.get("expires_in") or 0))
            return self._token[0]


class _UnknownUser(Exception):
    pass
