"""Mangopay's wire on the sandbox: routes, authentication, body parsing, CORS, and rendering.

Paths reach these routes already normalised (see normalize_path): `/v2/` becomes `/v2.01/`, resource
names are lower-cased, duplicate and trailing slashes are gone.
"""

from __future__ import annotations

import functools
import json
import math
import re
from email.utils import formatdate
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.exceptions import HTTPException

from .. import wire
from ..emulator import running_backend
from ..wire import answers_browsers, basic_credentials, cors_headers, form_body, json_response
from . import errors
from .backend import MangopayBackend, public

bp = Blueprint("mangopay", __name__, url_prefix="/mangopay")

API = "/v2.01/<client_id>"
CORS_HEADERS = cors_headers("GET, POST, PUT, OPTIONS",
                            "Content-Type, Authorization, x-tenant-id, x-tentant-id, Idempotency-Key")
KEYWORDS = {"cardregistrations", "cards", "users", "natural", "responses", "fingerprints", "oauth", "token",
            "vault", "tokenize"}


def normalize_path(path: str) -> str:
    """Collapse `//`, drop a trailing `/`, accept `/v2/`, match resource names case-insensitively."""
    parts = [p for p in path.split("/") if p]
    for i, part in enumerate(parts):
        low = part.lower()
        if low in ("v2", "v2.01"):
            parts[i] = "v2.01"
        elif low in KEYWORDS:
            parts[i] = low
    return "/" + "/".join(parts)


def backend() -> MangopayBackend:
    return running_backend("mangopay")


def mp_json(body, status: int = 200, headers: dict | None = None) -> Response:
    rendered = [public(o) for o in body] if isinstance(body, list) else public(body)
    return json_response(rendered, status, "application/json; charset=utf-8", headers)


def render_error(exc: errors.MangopayError) -> Response:
    return mp_json(exc.body(backend().now()), exc.status)


@bp.errorhandler(errors.MangopayError)
def _on_mangopay_error(exc):
    return render_error(exc)


def render_http_error(exc: HTTPException) -> Response:
    """Werkzeug's routing and parsing errors, in Mangopay's error object."""
    if exc.code == 404:
        return render_error(errors.not_found("Resource", request.path.rsplit("/", 1)[-1]))
    messages = {405: f"The requested resource does not support http method '{request.method}'.",
                413: "The request body is too large.",
                415: "The request content type is not supported."}
    error = errors.MangopayError(exc.code or 400, "param_error" if exc.code == 400 else "request_error",
                                 messages.get(exc.code, errors.PARAM_MESSAGE), None)
    return render_error(error)


# -- request helpers ----------------------------------------------------------------------------------

def authenticate(client_id: str, optional: bool = False) -> None:
    """Bearer (OAuth) or Basic for client_id; `optional` lets the browser kits' finish through."""
    header = request.headers.get("Authorization", "")
    if not header:
        if optional:
            return
        raise errors.not_authorized()
    if header.lower().startswith("bearer "):
        if backend().client_for_token(header[7:].strip()) != client_id:
            raise errors.invalid_credentials()
        return
    basic = basic_credentials()
    if basic is None or basic[0] != client_id or not backend().credentials_ok(*basic):
        raise errors.invalid_credentials()


def json_body() -> dict:
    body = wire.json_body()
    if body is None:
        raise errors.param_error(body="The request body must be a JSON object.")
    return body


def any_body() -> dict:
    if "json" in (request.content_type or ""):
        return json_body()
    raw = request.get_data(cache=True).lstrip()
    return json_body() if raw.startswith(b"{") else form_body()


def page_of(items: list[dict]) -> Response:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 10))
    except ValueError:
        raise errors.param_error(page="page and per_page must be integers.") from None
    if page < 1 or not 1 <= per_page <= 100:
        raise errors.param_error(per_page="page must be at least 1 and per_page between 1 and 100.")
    chunk = items[(page - 1) * per_page: page * per_page]
    headers = {"X-Number-Of-Pages": str(max(1, math.ceil(len(items) / per_page))),
               "X-Number-Of-Items": str(len(items))}
    return mp_json(chunk, headers=headers)


def idempotent(view):
    """Honour Idempotency-Key on creation: claim the key, run the call and keep its response 24 h, all in one
    transaction. A call that dies halfway (the process killed, an unexpected error) leaves the key free for
    the retry, never reserved with no response; a concurrent call with the key waits, then gets 409."""

    @functools.wraps(view)
    def wrapper(client_id, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(client_id, *args, **kwargs)
        authenticate(client_id)
        with backend().store.transaction():
            backend().reserve_idempotency_key(client_id, key)
            try:
                response = view(client_id, *args, **kwargs)
            except errors.MangopayError as exc:
                response = render_error(exc)
            backend().keep_response(client_id, key, {
                "StatusCode": str(response.status_code), "ContentLength": str(len(response.get_data())),
                "ContentType": response.content_type, "Date": formatdate(usegmt=True),
                "RequestURL": request.url, "Resource": json.loads(response.get_data()),
            })
        return response

    return wrapper


def public_base() -> str:
    configured = current_app.config["SANDBOX"].get("PUBLIC_URL")
    return (configured or request.host_url).rstrip("/")


# -- OAuth ----------------------------------------------------------------------------------------------

@bp.post("/v2.01/oauth/token")
def oauth_token():
    # The body is ignored: the Python SDK sends JSON text under a form content type.
    basic = basic_credentials()
    if basic is None or not backend().credentials_ok(*basic):
        body = {"error": "invalid_client"}
        return Response(json.dumps(body), 401, content_type="application/json; charset=utf-8")
    return mp_json(backend().issue_token(basic[0]))


# -- users ------------------------------------------------------------------------------------------------

@bp.post(f"{API}/users/natural")
@idempotent
def create_natural_user(client_id):
    authenticate(client_id)
    return mp_json(backend().create_natural_user(client_id, json_body()))


@bp.get(f"{API}/users/natural/<user_id>")
@bp.get(f"{API}/users/<user_id>")
def view_user(client_id, user_id):
    authenticate(client_id)
    return mp_json(backend().get_user(client_id, user_id))


@bp.get(f"{API}/users/<user_id>/cards")
def user_cards(client_id, user_id):
    authenticate(client_id)
    return page_of(backend().user_cards(client_id, user_id))


# -- card registrations -------------------------------------------------------------------------------------

@bp.post(f"{API}/cardregistrations")
@idempotent
def create_card_registration(client_id):
    authenticate(client_id)
    return mp_json(backend().create_registration(client_id, json_body(), public_base()))


@bp.route(f"{API}/cardregistrations/<registration_id>", methods=["GET", "PUT", "POST", "OPTIONS"])
@answers_browsers(CORS_HEADERS)
def card_registration(client_id, registration_id):
    if request.method == "GET":
        authenticate(client_id)
        return mp_json(backend().get_registration(client_id, registration_id))
    # Finish: SDKs PUT JSON with credentials; browser kits POST a form or PUT JSON without any.
    authenticate(client_id, optional=True)
    body = any_body()
    body = {k: body.get(k) for k in ("RegistrationData", "CardHolderName")}
    return mp_json(backend().finish_registration(client_id, registration_id, body))


# -- the tokenization server -----------------------------------------------------------------------------

@bp.route("/vault/tokenize/<ref>", methods=["GET", "POST", "OPTIONS"])
@answers_browsers(CORS_HEADERS)
def tokenize(ref):
    if request.method == "GET":
        return _text("errorCode=02632")
    form = form_body()
    result = backend().tokenize(ref, form)
    return_url = form.get("returnURL")
    if return_url is None:
        return _text(result)
    try:
        target = urlsplit(return_url)
    except ValueError:  # "http://[::1": not a URL at all
        return _text("errorCode=02628")
    if target.scheme not in ("http", "https") or not target.netloc:
        return _text("errorCode=02628")
    name, _, value = result.partition("=")
    joiner = "&" if target.query else "?"
    return redirect(return_url + joiner + urlencode({name: value}), 302)


def _text(body: str) -> Response:
    return Response(body, 200, content_type="text/plain; charset=utf-8")


# -- cards ------------------------------------------------------------------------------------------------------

@bp.route(f"{API}/cards/<card_id>", methods=["GET", "PUT"])
def card(client_id, card_id):
    authenticate(client_id)
    if request.method == "GET":
        return mp_json(backend().get_card(client_id, card_id))
    return mp_json(backend().update_card(client_id, card_id, json_body()))


@bp.get(f"{API}/cards/fingerprints/<fingerprint>")
def cards_by_fingerprint(client_id, fingerprint):
    authenticate(client_id)
    if not re.fullmatch(r"[0-9a-fA-F]{8,64}", fingerprint):
        raise errors.param_error(Fingerprint="The fingerprint is not valid.")
    return page_of(backend().fingerprint_cards(client_id, fingerprint))


# -- idempotency ------------------------------------------------------------------------------------------------

@bp.get(f"{API}/responses/<key>")
def api_response(client_id, key):
    authenticate(client_id)
    return mp_json(backend().stored_response(client_id, key))
