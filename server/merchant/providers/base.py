"""The Provider contract and what every adapter shares: timed, logged, scrubbed HTTP calls, one failure type.

An adapter implements two verbs that mirror the two server legs of tokenization, and a third for later:

- `start(StartRequest) -> ProviderSession`: whatever the PSP needs created first, and the
  TokenizationTarget the browser executes to post the card straight to the PSP.
- `finish(FinishRequest) -> Card`: the browser's result (untrusted: the adapter checks its shape) turned
  into a saved card, server to server.
- `deactivate(card_token) -> None`: the card removed at the PSP.

PSPs that can attach a fresh CVC to a saved card (`cvc_recollection`) also implement `start_cvc` (a target
that posts the CVC alone, for the saved card) and `finish_cvc` (-> the `Charge` that makes it ready to charge).

Whatever goes wrong at the PSP leaves an adapter as a `PspFailure` whose `kind` says what it means for
the merchant (merchant/sessions.py maps kinds to the API's error codes, in one place). Adapters check the
shape of every PSP answer they read (`shaped`), so any other exception is a bug in the adapter, and the
API answers it with a 500.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field, fields

import requests

from ...core.demo import CREDENTIALS
from ...core.redaction import redact
from ...core.settings import origin_of

log = logging.getLogger("panless.providers")
SANDBOX_ROOT = "http://127.0.0.1:8001"  # `panless sandbox` on its default port


@dataclass
class TokenizationTarget:
    """Where and how the browser posts the card: executed by static/js/frame/tokenize.js, no secrets."""

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
        # Copied as JSON data: dataclasses.asdict's copy.deepcopy of every leaf cost several times more.
        return {name: json_copy(getattr(self, name)) for name in TARGET_FIELDS}


TARGET_FIELDS = tuple(f.name for f in fields(TokenizationTarget))


def json_copy(value):
    """A copy of JSON data (dicts, lists and scalars) that shares nothing mutable with the original."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value


@dataclass
class StartRequest:
    customer_id: str
    currency: str
    brand: str | None
    provider_customer: dict          # what this provider stored for the customer earlier (e.g. its user id)
    idempotency_key: str             # the merchant session id: a retried start creates nothing twice
    options: dict = field(default_factory=dict)  # session options the checkout passes through (installments, ...)
    saved_card: str | None = None    # CVC re-collection: the PSP's token of the saved card the CVC is for


@dataclass(frozen=True)
class FinishRequest:
    ref: str                         # the PSP's reference for the session (ProviderSession.ref)
    customer_id: str
    provider_customer: dict          # what this provider kept for the customer (ProviderSession.provider_customer)
    browser_result: object           # what the browser's tokenization step returned: any JSON value, untrusted
    saved_card: str | None = None    # CVC re-collection: the saved card's token (StartRequest.saved_card)


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


@dataclass
class Charge:
    """A saved card made ready to charge with a fresh CVC: what the merchant charges with, and until when
    (the PSP keeps the CVC that long, or until one payment uses it)."""

    token: str
    expires_at: int


class PspFailure(Exception):
    """The PSP did not save or remove the card. `kind` is one of KINDS; `detail` is the refusal's card-error
    code, the unsupported request field, or (unexpected) what in the answer was off, never a value from it."""

    UNAVAILABLE = "unavailable"  # not reachable, overloaded or timing out: the same call may work later
    AUTH = "auth"                # refused the merchant's credentials
    UNEXPECTED = "unexpected"    # answered in a shape or with an error the adapter does not know
    GONE = "gone"                # no longer knows this registration, token or card
    REFUSED = "refused"          # refused the card or the browser's result; detail: one of REFUSALS
    UNSUPPORTED = "unsupported"  # cannot serve this request; detail: the field ("currency", "brand")
    KINDS = frozenset({UNAVAILABLE, AUTH, UNEXPECTED, GONE, REFUSED, UNSUPPORTED})
    # What a refusal can say: the card-error codes the browser also shows (TokenizationTarget.errors).
    REFUSALS = frozenset({"invalid_number", "invalid_expiry", "invalid_cvc", "invalid_name", "invalid_postal",
                          "card_refused", "tokenization_failed", "invalid_result"})
    UNSUPPORTED_FIELDS = frozenset({"currency", "brand"})

    def __init__(self, kind: str, detail: str | None = None):
        # A kind or detail outside the contract is the adapter's bug: loud, not a quiet psp_error.
        if kind not in self.KINDS or (kind == self.REFUSED and detail not in self.REFUSALS) or (
                kind == self.UNSUPPORTED and detail not in self.UNSUPPORTED_FIELDS):
            raise ValueError(f"not a PSP failure: {kind} {detail}")
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


OPTIONAL = type(None)  # in a `shaped` member's types: the member may be null or absent


def shaped(body, **members) -> dict:
    """`body` if it is a JSON object whose named members are what the adapter reads: a type, a tuple of
    types (OPTIONAL among them: may be null or absent) or a pattern a string member must match in full;
    else the PSP answered in a shape the adapter does not know."""
    if not isinstance(body, dict):
        raise PspFailure(PspFailure.UNEXPECTED, "not a JSON object")
    for name, expected in members.items():
        value = body.get(name)
        if isinstance(expected, re.Pattern):
            fits = isinstance(value, str) and expected.fullmatch(value) is not None
        else:
            types = expected if isinstance(expected, tuple) else (expected,)
            fits = isinstance(value, types) and (bool in types or not isinstance(value, bool))  # JSON true is no int
        if not fits:
            raise PspFailure(PspFailure.UNEXPECTED, f"member {name}")
    return body


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
    title = "Provider"               # the PSP's name for people (bench tables, messages)
    # Declared by each adapter: its configuration section's defaults (the demo sandbox, demo credentials),
    # the keys it cannot work without, and which of them are secrets (refused at their demo values
    # outside the demo).
    sandbox_path = ""
    settings: dict = {}
    required: tuple[str, ...] = ("BASE_URL",)
    secret_keys: tuple[str, ...] = ()
    session_options: tuple[str, ...] = ()  # the session options (api.py SESSION_OPTIONS) this PSP takes
    cvc_recollection = False                # whether start_cvc / finish_cvc attach a fresh CVC to a saved card
    cvc_session_options: tuple[str, ...] = ()  # the session options a CVC session takes
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
        """Create what the PSP needs before the browser posts the card (repeatable with the same
        idempotency key) and say where the browser posts it."""
        raise NotImplementedError

    def finish(self, request: FinishRequest) -> Card:
        """The card the browser's result stands for, saved at the PSP; repeatable after a lost answer.
        A result of the wrong shape, or not from this session: PspFailure(REFUSED, "invalid_result")."""
        raise NotImplementedError

    def start_cvc(self, request: StartRequest) -> ProviderSession:
        """A target that posts only the CVC, for the saved card `request.saved_card` (cvc_recollection)."""
        raise NotImplementedError

    def finish_cvc(self, request: FinishRequest) -> Charge:
        """The saved card ready to charge, from the browser's result of a start_cvc target; a result of the
        wrong shape, or not from this session: PspFailure(REFUSED, "invalid_result")."""
        raise NotImplementedError

    def deactivate(self, card_token: str) -> None:
        """Remove the card at the PSP. PspFailure(GONE) when the PSP no longer has it, which callers
        take as done (a first call whose answer was lost, say)."""
        raise NotImplementedError

    def check(self) -> None:
        """For `panless check`: the PSP answers and accepts this configuration, with no card and nothing
        created. ConfigError naming the setting that is wrong; PspFailure when the PSP cannot tell. By
        default only reachability (any HTTP answer from BASE_URL); adapters that can verify credentials
        with a harmless read do."""
        self.http("GET", self.base_url, idempotent=True)

    def tokenization_origins(self) -> list[str]:
        """Origins the browser posts card data to (the card form's CSP connect-src): the API's, by default."""
        return [origin_of(self.base_url)]

    # -- HTTP with timing, scrubbed logging and the failures every PSP shares ---------------------------

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
                    raise PspFailure(PspFailure.UNAVAILABLE) from None
                time.sleep(0.1 * attempt)
                continue
            self._log(method, url, response.status_code, started)
            if response.status_code in self.retry_statuses and attempt < attempts:
                time.sleep(0.1 * attempt)
                continue
            return response
        raise AssertionError("unreachable")

    def _log(self, method: str, url: str, status: int | None, started: float, failure: str = "") -> None:
        if not log.isEnabledFor(logging.INFO):  # the scrubbing is the cost: skipped when nothing would log
            return
        elapsed = (time.monotonic() - started) * 1000
        log.info(scrub(f"{self.name} {method} {url} -> {status or failure} in {elapsed:.0f} ms"))

    @staticmethod
    def body_of(response: requests.Response) -> dict | list:
        """The JSON body, once the failures every PSP shares are ruled out whatever the body says (a proxy's
        HTML error page is common): refused credentials, too many requests, the PSP down."""
        if response.status_code == 401:
            raise PspFailure(PspFailure.AUTH)
        if response.status_code == 429 or response.status_code >= 500:
            raise PspFailure(PspFailure.UNAVAILABLE)
        return Provider.json_of(response)

    @staticmethod
    def json_of(response: requests.Response) -> dict | list:
        try:
            return response.json()
        except ValueError:
            raise PspFailure(PspFailure.UNEXPECTED, "not JSON") from None
