"""Who the shopper is: a customer id in the signed session cookie, and a signed bearer token for the API.

The card page reads (or creates) the customer from Flask's signed session cookie and hands its scripts a
short-lived customer token; API calls carry it as `Authorization: Bearer <token>`. A header is never
sent by the browser on its own, so a cross-site page cannot make calls as the shopper. A merchant with
its own login issues the token from its own notion of the customer: `issue_customer_token(customer_id)`.
"""

from __future__ import annotations

import secrets

from flask import current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .errors import PanlessError

SALT = "panless-customer-token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def new_customer_id() -> str:
    return "cus_" + secrets.token_hex(15)


def cookie_customer() -> str:
    """The demo's shopper: kept in the signed session cookie, created on the first visit."""
    if "customer" not in session:
        session["customer"] = new_customer_id()
        session.permanent = True
    return session["customer"]


def issue_customer_token(customer_id: str) -> str:
    return _serializer().dumps({"customer": customer_id})


def verify_customer_token(token: str) -> str:
    """The customer id a token was issued for; unauthenticated when forged or older than the TTL."""
    try:
        claims = _serializer().loads(token, max_age=current_app.config["CUSTOMER_TOKEN_TTL"])
    except BadSignature:
        raise PanlessError("unauthenticated") from None
    return claims["customer"]


def current_customer() -> str:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise PanlessError("unauthenticated")
    return verify_customer_token(header[7:].strip())
