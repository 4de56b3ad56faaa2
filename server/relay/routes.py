"""What the relay knows of each PSP it forwards to: one Route per (PSP, operation), and how it adds the
PSP's secret. Everything else about the call (which card fields, which parameters) is declared here so
that nothing in a request can change where the card goes or what is asked of the PSP.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote

import requests

from ..core.pan import ascii_digits

REFRESH_MARGIN = 60  # seconds before an authorization token expires


class UpstreamAuthFailed(Exception):
    pass


class ApiKeyHeader:
    """Verifone UK Gateway: the API key in a header on every call."""

    def __init__(self, section: dict, http: requests.Session, timeout: float):
        self.api_key = str(section["API_KEY"])

    def headers(self, refresh: bool = False) -> dict:
        return {"X-APIKEY": self.api_key}


class EcartPayAuthorization:
    """Ecart Pay: a JWT from POST /api/authorizations/token (Basic public:private key), valid one hour,
    sent raw in `Authorization`; cached per process and fetched again shortly before it expires or on a 401."""

    def __init__(self, section: dict, http: requests.Session, timeout: float):
        self.url = str(section["BASE_URL"]).rstrip("/") + "/api/authorizations/token"
        self.keys = (str(section["PUBLIC_KEY"]), str(section["PRIVATE_KEY"]))
        self.http, self.timeout = http, timeout
        self.token: tuple[str, float] | None = None
        self.lock = threading.Lock()

    def headers(self, refresh: bool = False) -> dict:
        with self.lock:
            if refresh or self.token is None or self.token[1] - REFRESH_MARGIN < time.time():
                self.token = self._fetch()
            return {"Authorization": self.token[0]}

    def _fetch(self) -> tuple[str, float]:
        try:
            response = self.http.post(self.url, auth=self.keys, headers={"Accept": "application/json"},
                                      timeout=self.timeout)
            token = response.json()["token"] if response.status_code == 200 else None
        except (requests.RequestException, ValueError, KeyError, TypeError):
            token = None
        if not isinstance(token, str):
            raise UpstreamAuthFailed()
        return token, _jwt_expiry(token)


def _jwt_expiry(token: str) -> float:
    """The JWT's `exp` (read, not verified: the PSP verifies its own token); an hour when unreadable."""
    try:
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return time.time() + 3600


@dataclass(frozen=True)
class Route:
    psp: str
    operation: str                  # the relay path segment and the ticket's `op`
    upstream_path: str              # below the PSP's configured BASE_URL
    card_fields: tuple[str, ...]    # all the browser may send
    params: tuple[str, ...]         # set by the ticket (the merchant app), never by the browser
    number: str                     # the card fields the receipt's metadata is read from ("": none sent)
    expiry: tuple[str, str]
    token_key: str                  # where the PSP's answer holds the token
    error_key: str                  # where the PSP's error body names the error
    authorizer: type
    secret_keys: tuple[str, ...]    # refused at their demo values outside the demo
    path_params: tuple[str, ...] = ()  # params that fill the upstream path's {name}s instead of the body

    def upstream(self, params: dict) -> tuple[str, dict]:
        """The path below BASE_URL and the parameters for the body."""
        path = self.upstream_path.format(**{name: quote(params[name], safe="") for name in self.path_params})
        return path, {k: v for k, v in params.items() if k not in self.path_params}


ROUTES: dict[tuple[str, str], Route] = {
    (route.psp, route.operation): route for route in [
        Route("ecartpay", "tokens", "/api/tokens", ("number", "name", "exp_month", "exp_year", "cvc"),
              ("tokenization", "installments", "fixed_installments"), "number", ("exp_month", "exp_year"),
              "token", "code", EcartPayAuthorization, ("PRIVATE_KEY", "RELAY_KEY")),
        Route("verifone", "card", "/v1/card", ("card_number", "cvv", "expiry_month", "expiry_year"),
              ("organisation",), "card_number", ("expiry_month", "expiry_year"),
              "_id", "error", ApiKeyHeader, ("API_KEY", "RELAY_KEY")),
        # CVC re-collection: the saved card is the ticket's `id`; the browser sends the CVC alone.
        Route("ecartpay", "cvc", "/api/tokens", ("cvc",), ("id", "installments", "fixed_installments"), "", ("", ""),
              "token", "code", EcartPayAuthorization, ("PRIVATE_KEY", "RELAY_KEY")),
        Route("verifone", "cvv", "/v1/card/{id}", ("cvv",), ("organisation", "id"), "", ("", ""),
              "_id", "error", ApiKeyHeader, ("API_KEY", "RELAY_KEY"), path_params=("id",)),
    ]
}
PSPS = sorted({route.psp for route in ROUTES.values()})

# (brand, first-digits ranges): enough to label a receipt; the PSP remains the authority on the card.
BRANDS = [("amex", [("34", "34"), ("37", "37")]), ("visa", [("4", "4")]),
          ("mastercard", [("51", "55"), ("2221", "2720")]),
          ("discover", [("6011", "6011"), ("644", "649"), ("65", "65")]),
          ("jcb", [("3528", "3589")]), ("diners", [("300", "305"), ("36", "36"), ("38", "39")]),
          ("unionpay", [("62", "62")]), ("maestro", [("50", "50"), ("56", "58"), ("6", "6")])]


def brand_of(number: str) -> str:
    for brand, ranges in BRANDS:
        if any(low <= number[: len(low)] <= high for low, high in ranges):
            return brand
    return "unknown"


def card_metadata(route: Route, fields: dict) -> dict:
    """What a receipt may say about the card: brand, last 4 and expiry; never more of the number."""
    number = fields.get(route.number, "")
    month, year = (fields.get(name, "") for name in route.expiry)
    if not (ascii_digits(number) and len(number) >= 12 and ascii_digits(month) and ascii_digits(year)):
        return {}
    return {"brand": brand_of(number), "last4": number[-4:], "exp_month": int(month),
            "exp_year": int(year) if len(year) == 4 else 2000 + int(year)}
