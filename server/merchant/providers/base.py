"""The Provider contract and what every adapter shares: timed, logged, scrubbed HTTP calls with one error type.

An adapter implements two verbs that mirror the two server legs of tokenization:
`start(StartRequest) -> ProviderSession` (with the TokenizationTarget the browser executes) and
`finish(ProviderSession, browser_result) -> Card`, plus `deactivate(card_token)`.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass, field

import requests

from ...core.demo import CREDENTIALS
from ...core.redaction import redact
from ...core.settings import origin_of
from ..errors import PanlessError

log = logging.getLogger("panless.providers")
SANDBOX_ROOT = "http://127.0.0.1:8001"  # `panless sandbox` on its default port


@dataclass
class TokenizationTarget:
    """Where and how the browser posts the card: executed by static/js/tokenize.js, no secrets."""

    url: str
    method: str = "POST"
    encoding: str = "form"                       # form | json
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)       # pass-through values
    card_fields: dict[str, str] = field(default_factory=dict)  # our name (number, expiry, cvc, name) -> PSP's
    expiry_format: str = "MMYY"                  # MMYY | MM/YY | MM+YYYY (separate month and year fields)
    result: dict = field(default_factory=dict)   # {"type": "text", "error_prefix": ...} | {"type": "json", "path": ...}
    errors: dict[str, dict] = field(default_factory=dict)     # PSP error code -> {code, field, message}
    cvc_required: bool = True

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class StartRequest:
    customer_id: str
    currency: str
    brand: str | None
    provider_customer: dict          # what this provider stored for the customer earlier (e.g. its user id)
    idempotency_key: str             # the merchant session id: a retried start creates nothing twice
    options: dict = field(default_factory=dict)  # session options the checkout passes through (installments, ...)


@dataclass
class ProviderSession:
    ref: str                         # the PSP's id for the session (Mangopay: the CardRegistration Id)
    target: TokenizationTarget
    accepted_brands: list[str]
    provider_customer: dict          # to keep for the customer's next session


@dataclass
class Card:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str | None = None


SCRUB = [
    (re.compile(r"(cardNumber|card_number|number|cardCvx|card_security_code|cvc|cvv)=([^&\s]*)", re.I),
     r"\1=[FILTERED]"),
    (re.compile(r'("(?:cardNumber|card_number|number|cardCvx|cvc|cvv|card_security_code)"\s*:\s*)"[^"]*"', re.I),
     r'\1"[FILTERED]"'),
    (re.compile(r"(Authorization:\s*\w+\s+)\S+", re.I), r"\1[FILTERED]"),
    (re.compile(r'("(?:access_token|api_key|ApiKey)"\s*:\s*)"[^"]*"', re.I), r'\1"[FILTERED]"'),
]


def scrub(text: str) -> str:
    """Redact card data and credentials from a transcript (activemerchant's scrub, applied to every log)."""
    for pattern, replacement in SCRUB:
        text = pattern.sub(replacement, text)
    return redact(text)


class Provider:
    """Base class: each adapter calls `self.http(...)` and never `requests` directly."""

    name = "provider"
    # Declared by each adapter: its configuration section's defaults (the demo sandbox, demo credentials),
    # the keys it cannot work without, and which of them are secrets (refused at their demo values
    # outside the demo).
    sandbox_path = ""
    settings: dict = {}
    required: tuple[str, ...] = ("BASE_URL",)
    secret_keys: tuple[str, ...] = ()
    session_options: tuple[str, ...] = ()  # the session options (api.py SESSION_OPTIONS) this PSP takes
    retry_statuses = frozenset({502, 503, 504})

    @classmethod
    def defaults(cls) -> dict:
        """This PSP's configuration section as the demo runs it: the local sandbox and demo credentials."""
        return {"BASE_URL": f"{SANDBOX_ROOT}/{cls.name}{cls.sandbox_path}", "TIMEOUT": 10,
                **CREDENTIALS.get(cls.name, {}), **cls.settings}

    def __init__(self, config: dict):
        self.config = config
        self.base_url = config["BASE_URL"].rstrip("/")
        self.timeout = float(config.get("TIMEOUT", 10))
        self.session = requests.Session()

    # -- the contract -------------------------------------------------------------------------------

    def start(self, request: StartRequest) -> ProviderSession:
        raise NotImplementedError

    def finish(self, session: dict, browser_result) -> Card:
        raise NotImplementedError

    def deactivate(self, card_token: str) -> None:
        raise NotImplementedError

    def tokenization_origins(self) -> list[str]:
        """Origins the browser posts card data to (the card form's CSP connect-src): the API's, by default."""
        return [origin_of(self.base_url)]

    # -- HTTP with timing, scrubbed logging and error mapping ----------------------------------------

    def http(self, method: str, url: str, *, idempotent: bool = False, **kw) -> requests.Response:
        """One call to the PSP. Retried (twice, on transport errors and 502-504) only when `idempotent`:
        the request carries an idempotency key or is a read, so the PSP makes a repeat safe."""
        attempts = 3 if idempotent else 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kw)
            except requests.RequestException as exc:
                self._log(method, url, None, started, type(exc).__name__)
                if attempt == attempts:
                    raise PanlessError("psp_unavailable") from None
                time.sleep(0.1 * attempt)
                continue
            self._log(method, url, response.status_code, started)
            if response.status_code in self.retry_statuses and attempt < attempts:
                time.sleep(0.1 * attempt)
                continue
            return response
        raise AssertionError("unreachable")

    def _log(self, method: str, url: str, status: int | None, started: float, failure: str = "") -> None:
        elapsed = (time.monotonic() - started) * 1000
        log.info(scrub(f"{self.name} {method} {url} -> {status or failure} in {elapsed:.0f} ms"))

    @staticmethod
    def body_of(response: requests.Response) -> dict | list:
        """The JSON body, once the failures every PSP shares are ruled out whatever the body says (a proxy's
        HTML error page is common): refused credentials, too many requests, the PSP down."""
        if response.status_code == 401:
            raise PanlessError("psp_auth_failed")
        if response.status_code == 429 or response.status_code >= 500:
            raise PanlessError("psp_unavailable")
        return Provider.json_of(response)

    @staticmethod
    def json_of(response: requests.Response) -> dict | list:
        try:
            return response.json()
        except ValueError:
            raise PanlessError("psp_error") from None
