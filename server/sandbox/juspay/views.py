"""Juspay's wire on the sandbox: routes, Basic authentication by API key, form bodies, CORS, and rendering.

Browser: POST /card/tokenize (form, no authentication, headers x-merchantid and x-routing-id) gives a
`ctkn_` token valid 15 minutes. Server (Basic auth, API key as user name): /card/add turns the token, or the
card's details, into a persistent card_token; GET /cards lists a customer's cards; /card/delete removes one.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from ..emulator import running_backend
from ..wire import answers_browsers, basic_credentials, cors_headers, form_body, json_response
from . import errors
from .backend import JuspayBackend

bp = Blueprint("juspay", __name__, url_prefix="/juspay")

CORS = cors_headers("POST, OPTIONS", "Content-Type, x-merchantid, x-routing-id")


def backend() -> JuspayBackend:
    return running_backend("juspay")


def render(exc: errors.JuspayError) -> Response:
    return json_response(exc.body, exc.status)


@bp.errorhandler(errors.JuspayError)
def _on_error(exc):
    return render(exc)


def render_http_error(exc: HTTPException) -> Response:
    return render(errors.request_error(exc.code or 400, exc.description or exc.name))


def merchant_from_auth() -> str:
    """Basic auth with the API key as user name and an empty password."""
    credentials = basic_credentials()
    merchant = backend().merchant_for_key(credentials[0]) if credentials else None
    if merchant is None:
        raise errors.unauthenticated()
    return merchant


@bp.route("/card/tokenize", methods=["POST", "OPTIONS"])
@answers_browsers(CORS)
def tokenize():
    return json_response(backend().tokenize(form_body()))


@bp.post("/card/add")
@bp.post("/cards")
def add_card():
    merchant = merchant_from_auth()
    return json_response(backend().add_card(merchant, form_body()))


@bp.get("/cards")
@bp.get("/card/list")
def list_cards():
    merchant = merchant_from_auth()
    return json_response(backend().list_cards(merchant, request.args.get("customer_id", "")))


@bp.post("/card/delete")
def delete_card():
    merchant = merchant_from_auth()
    return json_response(backend().delete_card(merchant, form_body().get("card_token", "")))
