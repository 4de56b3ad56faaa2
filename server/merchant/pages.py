"""HTML pages: the hosted card form (also in redirect mode) and the frame a checkout page embeds."""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from ..core import jsonsafe
from ..core.settings import origin_of
from . import api, assets
from .auth import cookie_customer, issue_customer_token, new_customer_id, redeem_redirect_code
from .errors import PanlessError

bp = Blueprint("pages", __name__)
STATE = re.compile(r"[A-Za-z0-9_-]{1,200}")
LOCALE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?")  # a language tag; the page picks its catalogue
THEMES = ("light", "dark")  # else the shopper's prefers-color-scheme
INDENTATION = re.compile(r"\n\s+")
# How long a frame page waits for the session its URL starts before it is sent without it (the form's own call
# then finishes that session, with the same key): a PSP slower than this does not hold the page back longer.
START_IN_PAGE_SECONDS = 2.0
log = logging.getLogger(__name__)
CARD_TOKEN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")  # as api.py takes saved_card; the API checks the owner


@bp.get("/")
def index():
    return redirect(url_for("pages.card_form"))


def allowed(origin: str | None) -> bool:
    return origin is not None and origin in current_app.config["ALLOWED_ORIGINS"]


def safe_return_url(url: str) -> bool:
    """An allowed origin, and a URL that browsers and Python read alike: no backslash, no user info, no
    control characters or spaces (`https://evil.example\\@shop.example/` is evil.example to a browser)."""
    if any(c in url for c in "\\@") or any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return urlunsplit(parts) == url and allowed(origin_of(url))


@bp.get("/pay")
def card_form():
    """The hosted card form (?provider= picks a configured PSP, ?locale= a language, ?theme= light or dark;
    without them, the browser's languages and colour scheme; ?saved_card= a saved card's token: its security
    code alone, CVC re-collection). Redirect mode: ?return_url=...&state=...
    &code=... (a single-use code from issue_redirect_code) sends the shopper back to the checkout with the
    session id and outcome."""
    g.page = True
    return_url, state = request.args.get("return_url"), request.args.get("state")
    if return_url is not None and not safe_return_url(return_url):
        raise PanlessError("return_url_not_allowed")
    if state is not None and not STATE.fullmatch(state):
        raise PanlessError("invalid_state")
    provider = request.args.get("provider")
    if provider is not None and provider not in current_app.extensions["panless_providers"]:
        raise PanlessError("unknown_provider")
    locale, theme = request.args.get("locale"), request.args.get("theme")
    saved_card = request.args.get("saved_card")
    if saved_card is not None and not CARD_TOKEN.fullmatch(saved_card):
        raise PanlessError("card_not_found", field="saved_card")
    # Last, once the request is known good: redeeming spends the single-use code.
    code = request.args.get("code")
    customer = redeem_redirect_code(code) if code is not None else cookie_customer()
    token = issue_customer_token(customer)
    return render_template("card_form.html", customer_token=token, currency=current_app.config["CURRENCY"],
                           return_url=return_url, state=state, provider=provider, saved_card=saved_card,
                           locale=locale if locale and LOCALE.fullmatch(locale) else None,
                           theme=theme if theme in THEMES else None)


def refuse_parent(parent: str) -> None:
    if origin_of(request.host_url) == parent:
        raise PanlessError("frame_same_origin")
    if not allowed(parent):  # the allowed list holds exact origins only (config.checkout_origins)
        raise PanlessError("frame_parent_not_allowed")


@bp.get("/frame/check")
def frame_check():
    """Why a frame did not start, for the embed on any origin: the browser hides a refused frame's answer.
    Whether an origin is allowed is no secret: the frame's CSP header names it."""
    try:
        refuse_parent(request.args.get("parent", ""))
        response = jsonify({"ok": True})
    except PanlessError as error:
        response = jsonify(error.body())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def warm_up(app) -> None:
    """What each process's first shopper would otherwise wait for: compiling the templates (tens of milliseconds
    for a page and its includes) and the frame's inline script and style (the bundles are built at start-up too)."""
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)
    assets.inline_script(app.static_folder, "js/frame/early.js")
    assets.inline_style(app.static_folder, "css/form.css")


@bp.get("/frame")
def frame():
    """The card form for an iframe on an allowed checkout origin (CSP frame-ancestors names it); ?locale= a
    catalogue's name and ?appearance=1 let it load that catalogue and the appearance checks (the embed adds them).

    Its token is for a new customer on each load, for a mount() without a customerToken (the embed marks a mount
    with one by ?customer=1, and the page then has none): no cookie, which a frame on another site would not send
    back anyway. Its stylesheet is inline (one request fewer), admitted by the CSP nonce; the same served bytes as
    css/form.css, whose hash the inventory lists.

    With ?start= (a mount given a `startCode`), it also starts the session its URL describes, and the page
    carries the answer: see start_in_page."""
    g.page = True
    parent = request.args.get("parent", "")
    refuse_parent(parent)
    # In a frame only. Opened as a page of its own (a link someone sent, its fragment holding their own
    # customer token), the form would save the card typed there into their account. Browsers say where a
    # response goes (Sec-Fetch-Dest); a client that does not say is let be.
    if request.headers.get("Sec-Fetch-Dest", "iframe") not in ("iframe", "frame"):
        raise PanlessError("frame_parent_not_allowed")
    g.frame_parent = parent
    # The on-demand modules this mount can use, named by the embed: the import map pins those alone (a value
    # that names none adds nothing, the frame then speaking English and using the default look; no locale at
    # all, an older embed's URL, pins them all), and <html> says which, so the frame imports nothing else.
    static, locale = current_app.static_folder, request.args.get("locale")
    modules = assets.on_demand(static, locale, request.args.get("appearance") == "1")
    own_token = request.args.get("customer") != "1"
    html = render_template("frame.html", customer_token=own_token and issue_customer_token(new_customer_id()),
                           started=start_in_page() if request.args.get("start") else None,
                           currency=current_app.config["CURRENCY"], parent_origin=parent, frame=True,
                           style=assets.inline_style(static, "css/form.css"),
                           importmap=assets.import_map(static, assets.ENTRY["frame"], modules),
                           locales=[m[1] for m in map(assets.CATALOGUE.fullmatch, modules) if m],
                           appearance=assets.APPEARANCE in modules)
    # The templates' indentation, which every frame load would carry: a run of whitespace renders as one
    # space, and the page has no <pre> or <textarea>.
    return INDENTATION.sub("\n", html)


def start_in_page() -> str | None:
    """The session a mount given a `startCode` describes in the frame's URL (docs/browser.md, "Starting early"):
    ?start=, the single-use code the merchant's backend issued with the customer token (issue_redirect_code: a
    URL may carry it, as redirect mode's does, never a bearer token); ?key=, the session's Idempotency-Key;
    ?body=, what POST /api/sessions would take. The session starts here, as that call would start it, while
    the browser is still waiting for this page, which carries the answer: the frame's first lines need not ask.

    -> the session as POST /api/sessions answers it (JSON), for the page to carry; None when it did not start
    (a used or forged code, a limit, the PSP slow or down): the frame's first lines then ask as they would
    without a code, with the same key and the customer token, so a session half started here is finished there,
    never made twice. A code names its customer: given with another customer's token, the session is not that
    token's, and the form's calls for it are refused (session_not_found)."""
    key = request.args.get("key", "")
    if not api.CLIENT_KEY.fullmatch(key):
        return None
    try:
        body = jsonsafe.loads(request.args.get("body") or "{}")
        if not isinstance(body, dict):
            raise ValueError
        customer = g.customer = redeem_redirect_code(request.args["start"])
        g.psp_deadline = min(g.psp_deadline, time.monotonic() + START_IN_PAGE_SECONDS)
        session = api.start_session(customer, body, key, "")
    except (ValueError, PanlessError) as refused:
        log.info("frame: the start in its URL left to the frame (%s)", getattr(refused, "code", "invalid_json"))
        return None
    return json.dumps(api.public_session(session), separators=(",", ":"))
