"""The demo shop: a merchant's checkout on another origin, embedding the Panless card frame and
offering the redirect flow. It shares the merchant's secret to issue customer tokens, as a merchant's
own backend would, and reads outcomes from the Panless API server-to-server.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode

import requests
from flask import Flask, render_template, request

from ..core.paths import STATIC, TEMPLATES
from ..merchant import config
from ..merchant.auth import cookie_customer, issue_customer_token, issue_redirect_code

TIMEOUT = 10
SESSION_ID = re.compile(r"ses_[A-Za-z]{24}")  # as the merchant app makes them (auth.random_id)


def create_app(panless_url: str, test_config: dict | None = None) -> Flask:
    app = Flask("panless.demo", static_folder=str(STATIC), static_url_path="/shop-static",
                template_folder=str(TEMPLATES))
    config.load(app, test_config)  # the log redacted too: the shop's access log quotes query strings
    app.config["SESSION_COOKIE_NAME"] = "shop_session"
    panless_url = panless_url.rstrip("/")

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self' {panless_url}; style-src 'self'; frame-src {panless_url}; "
            f"img-src 'self' data:; connect-src 'self' {panless_url}; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'"
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/")
    def checkout():
        token = issue_customer_token(cookie_customer())
        order = "order-" + secrets.token_hex(4)
        hosted = f"{panless_url}/pay?" + urlencode({
            "return_url": f"{request.host_url}return", "state": order, "code": issue_redirect_code(cookie_customer())})
        # A second code for the card frame's start (mount()'s startCode): each code is good for one use.
        return render_template("demo/checkout.html", panless_url=panless_url, customer_token=token,
                               start_code=issue_redirect_code(cookie_customer()),
                               order=order, hosted_url=hosted)

    @app.get("/return")
    def back():
        """Where the hosted page sends the shopper back: confirm the outcome with the Panless API."""
        session_id, status = request.args.get("panless_session", ""), request.args.get("panless_status")
        card = None
        if status == "completed":
            # The URL says what happened; only the API, asked about a session id of the right shape, confirms it.
            if not SESSION_ID.fullmatch(session_id):
                status = "unconfirmed"
            else:
                try:
                    card = confirmed_card(session_id)
                except (requests.RequestException, ValueError, KeyError, TypeError):
                    status = "unconfirmed"
        return render_template("demo/return.html", status=status, card=card, order=request.args.get("state"))

    def confirmed_card(session_id: str) -> dict | None:
        auth = {"Authorization": f"Bearer {issue_customer_token(cookie_customer())}"}
        found = requests.get(f"{panless_url}/api/sessions/{session_id}", headers=auth, timeout=TIMEOUT)
        token = found.json().get("card") if found.ok else None
        if not token:
            return None
        cards = requests.get(f"{panless_url}/api/cards", headers=auth, timeout=TIMEOUT).json()["cards"]
        return next((c for c in cards if c["token"] == token), None)

    return app
