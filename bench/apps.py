"""The bench stack's merchant app: Panless as `panless serve` runs it, plus what the benchmarks compare it with,
served by the same process so that both sides share its origin, server and connections (never in the product)."""

from __future__ import annotations

from flask import Flask, current_app, g

import panless

# The reference for mount() to `ready`: a plain four-input form, nothing else to load.
BARE = ("<!doctype html><html lang=en><meta charset=utf-8><title>Card details</title><form>"
        "<label>Name <input name=name autocomplete=cc-name></label>"
        "<label>Card number <input name=number inputmode=numeric autocomplete=cc-number></label>"
        "<label>Expiry <input name=expiry autocomplete=cc-exp></label>"
        "<label>Security code <input name=cvc inputmode=numeric autocomplete=cc-csc></label>"
        "</form></html>")


def bare_form():
    origins = " ".join(current_app.config["ALLOWED_ORIGINS"])
    g.frame_parent = origins  # framed by the checkout origins, as the card frame is: no X-Frame-Options
    return BARE, {"Content-Security-Policy": f"default-src 'none'; frame-ancestors {origins}"}


def merchant() -> Flask:
    """The gunicorn factory of bench/stack.py: the merchant app with /_bench/bare beside its own routes."""
    app = panless.create_app()
    app.add_url_rule("/_bench/bare", "bench_bare", bare_form)
    return app
