"""Verifone UK Gateway's wire on the sandbox (protocols.md section 5), under /verifone: `/v1/card`
(create, view, update) and the minimal `/v1/transaction`, authenticated by the `X-APIKEY` header."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from ..wire import json_body, json_response
from . import errors
from .backend import VerifoneBackend

bp = Blueprint("verifone", __name__, url_prefix="/verifone")


def backend() -> VerifoneBackend:
    return current_app.extensions["panless_sandbox"]["verifone"]


def render(exc: errors.VerifoneError) -> Response:
    return json_response(exc.body(), exc.status)


@bp.errorhandler(errors.VerifoneError)
def _on_error(exc):
    return render(exc)


def render_http_error(exc: HTTPException) -> Response:
    if exc.code == 404:
        return render(errors.not_found("Resource"))
    return render(errors.VerifoneError(exc.code or 400, exc.name.lower().replace(" ", "_"), exc.description or ""))


@bp.before_request
def authenticate():
    backend().authenticate(request.headers.get("X-APIKEY"))


def body() -> dict:
    parsed = json_body()
    if parsed is None:
        raise errors.invalid("body", "The request body must be a JSON object.")
    return parsed


@bp.post("/v1/card")
def create_card():
    return json_response(backend().create_card(body()))


@bp.route("/v1/card/<card_id>", methods=["GET", "POST"])
def card(card_id):
    if request.method == "GET":
        return json_response(backend().get_card(card_id))
    return json_response(backend().update_card(card_id, body()))


@bp.post("/v1/transaction")
def create_transaction():
    return json_response(backend().create_transaction(body()), 201)
