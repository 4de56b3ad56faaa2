"""Ecart Pay's wire on the sandbox (protocols.md section 3), under /ecartpay: the authorization token
(Basic public:private key), card tokens (`Authorization: <jwt>`, raw or Bearer), and what tests read."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from ..wire import basic_credentials, json_body, json_response
from . import errors
from .backend import EcartPayBackend

bp = Blueprint("ecartpay", __name__, url_prefix="/ecartpay")


def backend() -> EcartPayBackend:
    return current_app.extensions["panless_sandbox"]["ecartpay"]


def render(exc: errors.EcartPayError) -> Response:
    return json_response(exc.body(), exc.status)


@bp.errorhandler(errors.EcartPayError)
def _on_error(exc):
    return render(exc)


def render_http_error(exc: HTTPException) -> Response:
    if exc.code == 404:
        return render(errors.not_found())
    return render(errors.EcartPayError(exc.code or 400, exc.name.lower().replace(" ", "_"), exc.description or ""))


def merchant() -> str:
    return backend().merchant_for(request.headers.get("Authorization", ""))


@bp.post("/api/authorizations/token")
def authorization_token():
    credentials = basic_credentials()
    if credentials is None:
        raise errors.unauthorized()
    return json_response(backend().authorize(*credentials))


@bp.post("/api/tokens")
def create_token():
    owner = merchant()
    body = json_body()
    if body is None:
        raise errors.invalid("invalid_body", "The request body must be a JSON object.")
    state = backend()  # kept: the release runs after the request's context is gone
    answer, hold = state.create_token(owner, body)
    response = json_response(answer)
    if hold:  # finalized and cancelled once the answer is on its way, as Ecart Pay does in the background
        response.call_on_close(lambda: state.release(owner, hold))
    return response


# -- sandbox introspection for tests (not part of Ecart Pay's API) -----------------------------------------

@bp.get("/_sandbox/tokens/<token_id>")
def describe_token(token_id):
    return json_response(backend().describe_token(token_id))


@bp.get("/_sandbox/transactions")
def transactions():
    return json_response({"transactions": backend().transactions()})
