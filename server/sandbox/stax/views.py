"""Stax's wire on the sandbox: routes, Bearer authentication by API key, JSON bodies, CORS, and rendering.

Browser: POST /webpayment/{web payments token}/tokenize with JSON card details, authorized by the
merchant's public web-payments token in the path (what Stax.js and the SDKs call), returns the payment
method. Server (Bearer API key): payment methods created from card details (server-side tokenization), viewed,
updated, soft-deleted; customers created, listed a page at a time, and their payment methods listed.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from .. import cards, wire
from ..emulator import running_backend
from ..wire import answers_browsers, cors_headers, json_response
from . import errors
from .backend import StaxBackend

bp = Blueprint("stax", __name__, url_prefix="/stax")

CORS = cors_headers("POST, OPTIONS", "Content-Type, Accept")


def backend() -> StaxBackend:
    return running_backend("stax")


def render(exc: errors.StaxError) -> Response:
    return json_response(exc.body, exc.status)


@bp.errorhandler(errors.StaxError)
def _on_error(exc):
    return render(exc)


def render_http_error(exc: HTTPException) -> Response:
    return render(errors.request_error(exc.code or 400, exc.description or exc.name))


def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not backend().api_key_ok(token):
        raise errors.invalid_token()


def json_body() -> dict:
    body = wire.json_body()
    if body is None:
        raise errors.not_json()
    return body


@bp.route("/webpayment/<web_token>/tokenize", methods=["POST", "OPTIONS"])
@answers_browsers(CORS)
def tokenize(web_token):
    # The backend judges the body itself: a wrong web-payments token is refused before a body that is not JSON.
    return json_response(backend().tokenize(web_token, wire.json_body()))


@bp.post("/customer")
def create_customer():
    authenticate()
    return json_response(backend().create_customer(json_body()))


@bp.get("/customer")
def list_customers():
    authenticate()
    page, per_page = (page_number(name, default) for name, default in (("page", 1), ("per_page", PER_PAGE)))
    return json_response(backend().customers_page(page, min(per_page, MAX_PER_PAGE), request.base_url))


PER_PAGE, MAX_PER_PAGE = 25, 200


def page_number(name: str, default: int) -> int:
    """A positive page or page size from the query; anything else is the default, as Laravel reads it."""
    value = request.args.get(name, "")
    return int(value) if cards.ascii_digits(value) and 0 < int(value) < 10**6 else default


@bp.get("/customer/<customer_id>")
def view_customer(customer_id):
    authenticate()
    return json_response(backend().customer(customer_id))


@bp.get("/customer/<customer_id>/payment-method")
def customer_methods(customer_id):
    authenticate()
    return json_response(backend().customer_methods(customer_id))


@bp.post("/payment-method")  # the trailing-slash spelling too: the emulator's paths lose it before routing
def create_payment_method():
    authenticate()
    return json_response(backend().create_method(json_body()))


@bp.route("/payment-method/<method_id>", methods=["GET", "PUT", "DELETE"])
def payment_method(method_id):
    authenticate()
    if request.method == "GET":
        return json_response(backend().render(backend().method(method_id)))
    if request.method == "PUT":
        return json_response(backend().update(method_id, json_body()))
    return json_response(backend().delete(method_id))
