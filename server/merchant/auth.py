"""Who the shopper is: a customer id in the signed session cookie, and a signed bearer token for the API.

The card page reads (or creates) the customer from Flask's signed session cookie and hands its scripts a
short-lived customer token; API calls carry it as `Authorization: Bearer <token>`. A header is never
sent by the browser on its own, so a cross-site page cannot make calls as the shopper. A merchant with
its own login issues the token from its own notion of the customer: `issue_customer_token(customer_id)`.
"""

from __future__ import annotations

import secrets
import string
import time

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .errors import PanlessError

SALT = "panless-customer-token"


def _serializer(salt: str = SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def random_id(prefix: str) -> str:
    """128+ random bits in letters only: an id can never read as a card number to a PAN scanner."""
    return prefix + "".join(secrets.choice(string.ascii_letters) for _ in range(24))


def new_customer_id() -> str:
    return random_id("cus_")


def cookie_customer() -> str:
    """The demo's shopper: kept in the signed session cookie, created on the first visit."""
    if "customer" not in session:
        session["customer"] = new_customer_id()
        session.permanent = True
    return session["customer"]


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, without building the signing serializer for a request that carries no
    session cookie (every API call: they authenticate by bearer token); the same empty session results."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def issue_customer_token(customer_id: str) -> str:
    return _serializer().dumps({"customer": customer_id})


_verified: dict[tuple[str, str], tuple[str, float]] = {}  # (key, token) -> (customer, signed at): a form's calls
VERIFIED_KEPT = 4096


def verify_customer_token(token: str) -> str:
    """The customer id a token was issued for; unauthenticated when forged or older than the TTL. A token
    verified once is not verified again while it is young enough (its age is checked every time)."""
    ttl = current_app.config["CUSTOMER_TOKEN_TTL"]
    key = (current_app.config["SECRET_KEY"], token)
    known = _verified.get(key)
    if known is not None and time.time() - known[1] <= ttl:
        return known[0]
    try:
        claims, signed_at = _serializer().loads(token, max_age=ttl, return_timestamp=True)
    except BadSignature:
        raise PanlessError("unauthenticated") from None
    if len(_verified) >= VERIFIED_KEPT:
        _verified.clear()
    _verified[key] = (claims["customer"], signed_at.timestamp())
    return claims["customer"]


REDIRECT_SALT = "panless-redirect-code"
REDIRECT_TTL = 600


def issue_redirect_code(customer_id: str) -> str:
    """For redirect mode: a single-use code valid 10 minutes, made by the merchant backend at the moment
    it sends the shopper to the hosted page (never a reusable bearer token in a URL)."""
    return _serializer(REDIRECT_SALT).dumps({"customer": customer_id, "nonce": secrets.token_urlsafe(16)})


def redeem_redirect_code(code: str) -> str:
    try:
        claims = _serializer(REDIRECT_SALT).loads(code, max_age=REDIRECT_TTL)
    except BadSignature:
        raise PanlessError("unauthenticated") from None
    if not current_app.extensions["panless_store"].insert_new("redirect_code", claims["nonce"], {}):
        raise PanlessError("redirect_code_used")
    return claims["customer"]


def current_customer() -> str:
    """The customer the request's bearer token names, verified once per request (the limiter asks too)."""
    if "customer" not in g:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise PanlessError("unauthenticated")
        g.customer = verify_customer_token(header[7:].strip())
    return g.customer
